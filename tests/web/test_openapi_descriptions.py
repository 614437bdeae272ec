"""Every operation of the API says what it does in /openapi.json (its route's docstring)."""

from app.main import create_app


def test_every_operation_has_a_description():
    document = create_app().openapi()
    operations = [(method.upper(), path, operation)
                  for path, methods in document["paths"].items()
                  for method, operation in methods.items()]
    assert len(operations) > 40  # the whole v1 API is there
    missing = [f"{method} {path}" for method, path, operation in operations
               if not operation.get("description", "").strip()]
    assert not missing, "give these routes a docstring: " + ", ".join(missing)
