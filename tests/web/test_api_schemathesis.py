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
EXAMPLES = 10


def run_operation(operation, headers: dict, mode: GenerationMode, ids: dict | None) -> None:
    """Generated requests to one operation; with `ids`, the path's ids are those of real
    objects, so the generated bodies and queries reach the code behind the lookup."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        if ids and case.path_parameters:
            case.path_parameters = {name: ids.get(name, value)
                                    for name, value in case.path_parameters.items()}
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def real_ids(world) -> dict[str, int]:
    return {"person_id": world.cc.id, "meeting_type_id": world.series.id,
            "meeting_id": world.meeting.id, "item_id": world.item.id,
            "entry_id": world.entry.id, "question_id": world.question.id,
            "action_id": world.action.id, "paper_id": world.paper.id}


def test_the_api_keeps_its_contract(app, session, qworld):
    """Valid and invalid requests to every operation, with generated ids and with the ids of
    the world's objects."""
    _, token = make_user(session, Role.admin)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        count += 1
        runs = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if "{" in operation.path:
            runs.append((GenerationMode.POSITIVE, real_ids(qworld)))
        for mode, ids in runs:
            try:
                run_operation(operation, bearer(token), mode, ids)
            except Unsatisfiable:
                continue  # no invalid request exists (an operation without parameters)
            except Exception as exc:  # noqa: BLE001 - gather them all, report them together
                where = "real ids" if ids else "generated ids"
                failures.append(f"{operation.label} ({mode.value}, {where}): {exc}")
    assert count >= 45
    assert not failures, "\n\n".join(failures)
