"""Shared types of the request and response schemas, and turning validation errors into problem
details. Requests reject unknown fields, so no client can set its own colour or role."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from chalicelib import validation
from chalicelib.api import formats
from chalicelib.domain.errors import FieldError, InvalidInput


def _checked(check: Any) -> Any:
    def run(value: str) -> str:
        try:
            return str(check(value))
        except validation.InvalidValue as bad:
            raise PydanticCustomError(
                bad.code, bad.message, {"message_zh": bad.message_zh}
            ) from None

    return AfterValidator(run)


def _published(schema: dict[str, Any]) -> dict[str, Any]:
    """The parts of a chalicelib.api.formats schema that pydantic does not write itself."""
    return {k: v for k, v in schema.items() if k != "type"}


Phone = Annotated[
    StrictStr,
    Field(max_length=32, json_schema_extra=_published(formats.PHONE)),
    _checked(validation.normalize_phone),
]


def _country_codes(schema: dict[str, Any]) -> None:
    schema["enum"] = validation.country_codes()  # built with the document, not on cold starts


Nationality = Annotated[
    StrictStr,
    Field(
        max_length=8,
        description=(
            "ISO 3166-1 / GB/T 2659 country code, alpha-3 or alpha-2 (CN is stored as CHN);"
            " lower case is accepted too"
        ),
        examples=["CHN"],
        json_schema_extra=_country_codes,
    ),
    _checked(validation.check_nationality),
]


# A calendar date people live by: within a plausible range, so that date arithmetic (14-day
# windows, review days) can never overflow on something like 9999-12-31.
_DAY_RANGE = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
Day = Annotated[date, _DAY_RANGE, Field(json_schema_extra=_published(formats.DAY))]
# The same, checked against today by the service (published as named formats).
DayUntilToday = Annotated[
    date, _DAY_RANGE, Field(json_schema_extra=_published(formats.DAY_UNTIL_TODAY))
]
ArrivalDay = Annotated[date, _DAY_RANGE, Field(json_schema_extra=_published(formats.ARRIVAL_DATE))]


RegionCode = Annotated[
    StrictStr,
    Field(json_schema_extra=_published(formats.REGION_CODE)),
    _checked(validation.check_region_code),
]


# Blank after stripping is refused, so at least one character that is not white space as Python
# strips it (JSON Schema's \s, and also \x1c-\x1f and \x85): a string the document allows is
# never empty once stripped.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"
Text = Annotated[
    StrictStr,
    Field(min_length=1, json_schema_extra={"pattern": NOT_BLANK}),
    AfterValidator(str.strip),
]


# A signed token as sent (a code, a place code, a partner's code): its checks are the service's.
Token = Annotated[
    StrictStr, Field(min_length=1, max_length=4096, json_schema_extra={"pattern": NOT_BLANK})
]


# Tokens whose document schema is their format alone (the format implies the length; formats
# are defined in chalicelib/api/formats.py and docs/api.md).
_TOKEN_LENGTH = Field(min_length=1, max_length=4096)
PlaceCode = Annotated[
    StrictStr, _TOKEN_LENGTH, WithJsonSchema({"type": "string", "format": "place-code"})
]
PartnerCode = Annotated[
    StrictStr, _TOKEN_LENGTH, WithJsonSchema({"type": "string", "format": "partner-code"})
]


PlaceId = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def document_number(cls: Any, value: str, info: ValidationInfo) -> str:
    """The ID number checked for its document type (id_type is validated first)."""
    id_type = info.data.get("id_type")
    if id_type is None:
        return value  # the id_type error is reported on its own
    try:
        return validation.check_document(id_type.value, value)
    except validation.InvalidValue as bad:
        raise PydanticCustomError(bad.code, bad.message, {"message_zh": bad.message_zh}) from None


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Answer(BaseModel):
    """A response schema: it names every field the server answers with (additionalProperties
    false), so the e2e tests' check of every answer finds a field the document lacks."""

    model_config = ConfigDict(extra="forbid")


def _id_number_by_id_type(schema: dict[str, Any]) -> None:
    schema.setdefault("allOf", []).extend(formats.id_number_rules())


class IdentifiedBody(RequestBody):
    """A body with `id_type` and `id_number`: the document ties the number's form to the type."""

    model_config = ConfigDict(json_schema_extra=_id_number_by_id_type)


def custom_error(code: str, message: str, message_zh: str) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"message_zh": message_zh})


class FieldProblem(Answer):
    field: str
    code: str
    message: str
    message_zh: str


class Problem(Answer):
    type: str
    title: str
    status: int
    detail: str
    code: str
    detail_zh: str
    errors: list[FieldProblem]
    request_id: str


_GENERIC = {
    "extra_forbidden": ("unknown_field", "unknown field", "不允许的字段"),
    "missing": ("required", "field required", "缺少必填字段"),
    "literal_error": ("invalid_value", "", "取值不正确"),
}


def field_error(error: Any) -> FieldError:
    field = ".".join(str(part) for part in error["loc"]) or "body"
    kind = error["type"]
    if kind in _GENERIC:
        code, message, message_zh = _GENERIC[kind]
        return FieldError(field, code, message or error["msg"], message_zh)
    ctx = error.get("ctx") or {}
    if "message_zh" in ctx:
        return FieldError(field, kind, error["msg"], str(ctx["message_zh"]))
    return FieldError(field, "invalid_value", error["msg"], "取值不正确")


def parse(model: type[RequestBody], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        errors = tuple(field_error(e) for e in invalid.errors())
        if any(e.field == "commitment" for e in errors):
            errors = tuple(
                FieldError(
                    e.field,
                    "commitment_required",
                    "you must promise the information is true",
                    "须承诺所填信息真实",
                )
                if e.field == "commitment"
                else e
                for e in errors
            )
        codes = {e.code for e in errors}
        raise InvalidInput(
            "The request has invalid fields; see errors.",
            "请求中有字段不符合要求，详见 errors。",
            # One kind of problem names itself (invalid_id_number, unknown_field, ...).
            code=codes.pop() if len(codes) == 1 else "invalid_request",
            errors=errors,
        ) from None
