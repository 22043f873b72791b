"""The health authority: checkers, epidemic records, regions, histories and appeals."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib import config
from chalicelib.api.schemas.common import (
    Answer,
    Day,
    IdentifiedBody,
    Phone,
    PlaceId,
    RequestBody,
    Text,
    document_number,
    field_error,
)
from chalicelib.api.schemas.persons import Change
from chalicelib.domain.model import NOTE_MAX, NOTE_REQUIRED, Category, IdType, Risk

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CheckerIn(RequestBody):
    phone: Phone
    name: Annotated[Text, Field(max_length=50)]
    place_id: PlaceId


class RecordIn(IdentifiedBody):
    """One row of the authority's epidemic database."""

    record_id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    id_type: IdType
    id_number: Annotated[StrictStr, Field(max_length=64)]
    category: Category
    since: Day
    until: Day | None = None
    note: Annotated[
        StrictStr | None,
        Field(
            validate_default=True,
            description="the authority's short reason, shown to the holder and kept in the "
            "history; required for other_high_risk, other_medium_risk and database_abnormal",
            json_schema_extra={"maxLength": NOTE_MAX},
        ),
    ] = None

    _id_number = field_validator("id_number")(document_number)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None, info: ValidationInfo) -> str | None:
        note = (value or "").strip() or None
        if note is None and info.data.get("category") in NOTE_REQUIRED:
            raise PydanticCustomError(
                "note_required",
                "this category needs a note: the authority's short reason for the holder",
                {"message_zh": "该类别须填写说明（向本人说明的简短理由）"},
            )
        if note is not None and len(note) > NOTE_MAX:
            raise PydanticCustomError(
                "note_too_long",
                f"the note may hold at most {NOTE_MAX} characters",
                {"message_zh": f"说明最多 {NOTE_MAX} 个字符"},
            )
        if note is not None and _CONTROL.search(note):
            raise PydanticCustomError(
                "invalid_note",
                "the note may not hold control characters",
                {"message_zh": "说明不可含控制字符"},
            )
        return note

    @field_validator("record_id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        # `appeal-…` ids are the service's own: cleared records written by appeal decisions.
        if value.startswith("appeal-"):
            raise PydanticCustomError(
                "reserved_record_id",
                "record ids starting with appeal- are reserved",
                {"message_zh": "以 appeal- 开头的记录编号为系统保留"},
            )
        return value

    @model_validator(mode="after")
    def _order(self, info: ValidationInfo) -> RecordIn:
        if self.until is not None and self.until < self.since:
            raise PydanticCustomError(
                "invalid_period", "until is before since", {"message_zh": "结束日期早于开始日期"}
            )
        read = info.context.get("categories") if info.context else None
        if read is not None and self.category not in read:
            # It would colour no one (e.g. Hubei's home_isolation_unchecked under Shandong's
            # policy): staff never record a person under a category that silently does nothing.
            raise PydanticCustomError(
                "category_not_in_policy",
                "the active policy has no rule for this category",
                {"message_zh": "当前政策没有适用于该类别的规则"},
            )
        return self

    def to_domain(self) -> Any:
        from chalicelib.services.records import RecordRow

        return RecordRow(
            self.record_id,
            self.id_type,
            self.id_number,
            self.category,
            self.since,
            self.until,
            self.note,
        )


class RecordsIn(RequestBody):
    """A batch: each row is checked on its own, so one bad row does not stop the others."""

    records: Annotated[
        list[dict[str, Any]],
        Field(min_length=1, max_length=config.import_batch_limit()),
    ]
    confirm: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{16}$")] | None = None


class RecordsDryRunIn(RequestBody):
    """The rows of an import, to see what it would do; nothing is written."""

    records: Annotated[
        list[dict[str, Any]],
        Field(min_length=1, max_length=config.import_batch_limit()),
    ]


class RegionIn(RequestBody):
    risk: Risk


class ResolveIn(RequestBody):
    decision: Literal["corrected", "rejected"]
    reason: Annotated[Text, Field(max_length=500)]


class CheckerOut(Answer):
    account_id: str
    checker_id: str = Field(description="the checker's id, for GET and DELETE /v1/admin/checkers")
    masked_name: str
    place_id: str | None
    roles: list[str]


class CheckerView(Answer):
    checker_id: str
    name: str
    masked_phone: str
    place_id: str | None


class CheckersOut(Answer):
    checkers: list[CheckerView]


class ImportOut(Answer):
    applied: int
    duplicates: int
    unmatched: int
    errors: list[dict[str, Any]] = Field(description="one entry per problem of a bad row")
    recoloured: int
    failed: int = Field(description="named persons not re-evaluated (re-send the batch)")
    complete: bool = Field(description="false: the time budget ran out first; see resume_at")
    resume_at: int | None = Field(
        description="the index of the first row not done: send records[resume_at:] again"
    )
    queued: int = Field(description="persons re-evaluated by the workers, not in the answer")
    job_id: str | None = Field(description="the queued re-evaluation's job, if any")


class GuardThreshold(Answer):
    fraction: float
    minimum: int


class DryRunOut(Answer):
    """What POST /v1/admin/records would do with these rows now; nothing was written."""

    records: int = Field(description="rows sent")
    valid: int = Field(description="rows without an error")
    errors: list[dict[str, Any]] = Field(
        description="one entry per problem of a bad row, as in the import's answer"
    )
    matched: int = Field(description="valid rows whose ID document names a person who applied")
    unmatched: int = Field(description="valid rows for IDs nobody holds (kept until they apply)")
    persons: int = Field(description="distinct persons the valid rows name")
    would_recolour: int = Field(description="persons whose colour the rows would change")
    transitions: dict[str, int] = Field(description="persons by change, e.g. green->yellow")
    total_persons: int
    threshold: GuardThreshold = Field(
        description="the guard trips past both this fraction of all persons and this minimum"
    )
    recoloured_earlier_today: int = Field(description="by this admin, counted by the guard")
    needs_confirmation: bool = Field(
        description="whether the import would now answer 409 and wait for a second admin's "
        "confirm (advisory: imports meanwhile count too)"
    )


class RegionView(Answer):
    region_code: str
    name: str | None = Field(description="the GB/T 2260 name, when known")
    risk: Literal["low", "medium", "high"]
    updated_at: str


class RegionsOut(Answer):
    regions: list[RegionView] = Field(description="medium or high risk, by region code")


class RegionOut(Answer):
    region_code: str
    risk: Literal["low", "medium", "high"]
    updated_at: str
    reevaluated: int = Field(description="visitors re-evaluated within the request")
    recoloured: int
    deferred: int = Field(description="visitors queued for the workers (the job's pages)")
    failed: int = Field(description="visitors not re-evaluated (the next recompare retries)")
    job_id: str = Field(description="GET /v1/admin/jobs/{job_id} follows every visitor")


class JobOut(Answer):
    job_id: str
    kind: Literal["region", "recompare", "import", "expire", "purge"]
    state: Literal["running", "done", "abandoned"]
    started_at: str
    total: int = Field(description="persons listed so far (final once state is done)")
    done: int = Field(description="persons re-evaluated (failed ones included)")
    recoloured: int
    failed: int = Field(description="persons whose re-evaluation failed (recompare retries)")


class AdminChange(Change):
    actor: str | None
    source: str
    seq: int
    hash: str


class AdminHistoryOut(Answer):
    changes: list[AdminChange]
    intact: bool


class AppealView(Answer):
    appeal_id: str
    person_id: str
    status: Literal["open", "resolved"]
    color: Literal["green", "yellow", "red"]
    message: str
    created_at: str
    decision: Literal["corrected", "rejected"] | None
    reason: str | None
    resolved_at: str | None
    current_color: Literal["green", "yellow", "red"] | None = None
    record_id: str | None = None


class AppealsOut(Answer):
    appeals: list[AppealView]
    next: str | None = Field(None, description="send as ?cursor= for the next page; null: last")


def parse_rows(
    rows: list[dict[str, Any]], categories: frozenset[Category] | None = None
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Each row on its own: the valid ones as domain values, and the errors of the others.
    `categories`: those the active policy reads (a row of another is an error)."""
    valid, errors = [], []
    context = {"categories": categories}
    for index, row in enumerate(rows):
        try:
            parsed = RecordIn.model_validate(row, context=context).to_domain()
            valid.append(replace(parsed, index=index))
        except ValidationError as invalid:
            record_id = row.get("record_id") if isinstance(row, dict) else None
            for problem in (field_error(e) for e in invalid.errors()):
                errors.append(
                    {
                        "index": index,
                        "record_id": record_id,
                        "field": problem.field,
                        "code": problem.code,
                        "message": problem.message,
                        "message_zh": problem.message_zh,
                    }
                )
    return valid, errors
