"""The health authority: the epidemic database (records, regions), colour histories, appeals."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api import formats
from chalicelib.api.formats import CURSOR
from chalicelib.api.http import ADMIN, LONG_DEADLINE, Param, Req, route
from chalicelib.domain.errors import InvalidInput

bp = Blueprint(__name__)
APPEAL_STATUSES = ("open", "resolved")


@route(
    bp,
    "POST",
    "/v1/admin/records",
    summary="Import epidemic records (idempotent per id)",
    roles=ADMIN,
    body="RecordsIn",
    response="ImportOut",
    max_body=1024 * 1024,  # 1,000 rows of about 200 bytes, with room
    deadline=LONG_DEADLINE,
)
def import_records(req: Req) -> dict[str, Any]:
    from chalicelib.api.schemas import parse_rows
    from chalicelib.services.assessment import active_policy
    from chalicelib.services.records import import_records as run

    batch = req.body()
    rows, errors = parse_rows(batch.records, active_policy().categories_read())
    return run(req.ctx, req.actor, rows, errors, batch.confirm, req.now)


@route(
    bp,
    "POST",
    "/v1/admin/records/dry-run",
    summary="What an import would do now, writing nothing (rows, matches, the guard)",
    roles=ADMIN,
    body="RecordsDryRunIn",
    response="DryRunOut",
    max_body=1024 * 1024,
    deadline=LONG_DEADLINE,
)
def dry_run_records(req: Req) -> dict[str, Any]:
    from chalicelib.api.schemas import parse_rows
    from chalicelib.services.assessment import active_policy
    from chalicelib.services.records import dry_run

    batch = req.body()
    rows, errors = parse_rows(batch.records, active_policy().categories_read())
    return dry_run(req.ctx, req.actor, rows, errors, len(batch.records), req.now)


@route(
    bp,
    "GET",
    "/v1/admin/regions",
    summary="The regions whose risk is medium or high",
    roles=ADMIN,
    response="RegionsOut",
)
def risky_regions(req: Req) -> dict[str, Any]:
    from chalicelib.services.records import risky_regions as listing

    return listing(req.ctx)


@route(
    bp,
    "PUT",
    "/v1/admin/regions/{region_code}",
    summary="Set a region's risk level",
    roles=ADMIN,
    deadline=LONG_DEADLINE,
    body="RegionIn",
    response="RegionOut",
    path_params={"region_code": Param(formats.REGION_CODE)},
)
def set_region(req: Req, region_code: str) -> dict[str, Any]:
    from chalicelib.services.records import set_region as run
    from chalicelib.validation import InvalidValue, check_region_code

    try:
        code = check_region_code(region_code)
    except InvalidValue as bad:
        raise InvalidInput(bad.message, bad.message_zh, code=bad.code) from None
    return run(req.ctx, req.actor, code, req.body().risk, req.now)


@route(
    bp,
    "GET",
    "/v1/admin/persons/{person_id}/history",
    summary="A person's colour history with who and what",
    roles=ADMIN,
    response="AdminHistoryOut",
)
def person_history(req: Req, person_id: str) -> dict[str, Any]:
    from chalicelib.services.history import for_authority

    return for_authority(req.ctx, person_id)


@route(
    bp,
    "GET",
    "/v1/admin/appeals",
    summary="Appeals (open by default)",
    roles=ADMIN,
    query={
        "status": Param(formats.enum(APPEAL_STATUSES, default="open")),
        "cursor": Param(CURSOR),
    },
    response="AppealsOut",
)
def appeals(req: Req) -> dict[str, Any]:
    from chalicelib.services.appeals import listing

    return listing(req.ctx, req.choice("status", APPEAL_STATUSES), req.query("cursor"))


@route(
    bp,
    "POST",
    "/v1/admin/appeals/{appeal_id}/resolve",
    summary="Decide an appeal",
    roles=ADMIN,
    body="ResolveIn",
    response="AppealView",
)
def resolve(req: Req, appeal_id: str) -> dict[str, Any]:
    from chalicelib.services.appeals import resolve as decide

    form = req.body()
    return decide(req.ctx, req.actor, appeal_id, form.decision, form.reason, req.now)
