"""Schemathesis against /openapi.json: generated requests to every API operation, as an
administrator, never get a server error or a response that breaks the published schema.

Driven from one test per database (schemathesis's own pytest plugin does not run under this
pytest), with a fixed seed and a few examples per operation, so it stays quick and
repeatable; a failure names the operation and the request that broke it.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.models import Role
from tests.factories import bearer, make_user

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 12


def run_operation(operation, headers: dict, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_the_api_keeps_its_contract(app, session, world):
    """Valid and invalid requests to every operation; `world` gives the ids something to
    find."""
    _, token = make_user(session, Role.admin)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        count += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, bearer(token), mode)
            except Unsatisfiable:
                continue  # no invalid request exists (an operation without parameters)
            except Exception as exc:  # noqa: BLE001 - gather them all, report them together
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert count >= 45
    assert not failures, "\n\n".join(failures)
