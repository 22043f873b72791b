"""Request and response schemas (pydantic): the validation of every body and the source of the
OpenAPI document. Requests reject unknown fields, so no client can set its own colour or role."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib import validation
from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.domain.model import Category, Declaration, IdType, Risk, Symptom
from chalicelib.domain.places import PlaceType


def _checked(check: Any) -> Any:
    def run(value: str) -> str:
        try:
            return str(check(value))
        except validation.InvalidValue as bad:
            raise PydanticCustomError(
                bad.code, bad.message, {"message_zh": bad.message_zh}
            ) from None

    return AfterValidator(run)


Phone = Annotated[StrictStr, Field(max_length=32), _checked(validation.normalize_phone)]
# A calendar date people live by: within a plausible range, so that date arithmetic (14-day
# windows, review days) can never overflow on something like 9999-12-31.
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
RegionCode = Annotated[
    StrictStr,
    Field(description="6-digit GB/T 2260 code", examples=["370102"]),
    _checked(validation.check_region_code),
]
Text = Annotated[StrictStr, Field(min_length=1), AfterValidator(str.strip)]
PlaceId = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _document_number(cls: Any, value: str, info: ValidationInfo) -> str:
    """The ID number checked for its document type (id_type is validated first)."""
    id_type = info.data.get("id_type")
    if id_type is None:
        return value  # the id_type error is reported on its own
    try:
        return validation.check_document(id_type.value, value)
    except validation.InvalidValue as bad:
        raise PydanticCustomError(bad.code, bad.message, {"message_zh": bad.message_zh}) from None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OtpIn(_In):
    phone: Phone


class TokenIn(_In):
    phone: Phone
    code: Annotated[StrictStr, Field(pattern=r"^[0-9]{6}$")]


class DeclarationIn(_In):
    """The 14-day contact history and health (every answer is required)."""

    visited_regions: Annotated[list[RegionCode], Field(max_length=50)]
    contact_with_case: StrictBool
    fever_clinic_visit: StrictBool
    symptoms: Annotated[list[Symptom], Field(max_length=7)]
    temperature: Annotated[float | None, Field(ge=34.0, le=43.0, description="°C")]
    from_abroad: StrictBool

    def to_domain(self) -> Declaration:
        return Declaration(
            visited_regions=tuple(dict.fromkeys(self.visited_regions)),
            contact_with_case=self.contact_with_case,
            fever_clinic_visit=self.fever_clinic_visit,
            symptoms=tuple(dict.fromkeys(self.symptoms)),
            temperature=self.temperature,
            from_abroad=self.from_abroad,
        )


class ApplicationIn(_In):
    """The seven items and the commitment (承诺信息真实)."""

    name: Annotated[Text, Field(max_length=50)]
    id_type: IdType
    id_number: Annotated[StrictStr, Field(max_length=64)]
    nationality: Annotated[
        StrictStr, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3", examples=["CHN"])
    ]
    address: Annotated[Text, Field(max_length=200)]
    region_code: RegionCode
    declaration: DeclarationIn
    commitment: Literal[True]

    _id_number = field_validator("id_number")(_document_number)

    def to_domain(self) -> Any:
        from chalicelib.services.applications import Application

        return Application(
            name=self.name,
            id_type=self.id_type,
            id_number=self.id_number,
            nationality=self.nationality,
            address=self.address,
            region_code=self.region_code,
            declaration=self.declaration.to_domain(),
        )


class FamilyIn(ApplicationIn):
    """An application for a family member, and how they are related to the caller. With
    `share_code` (from the holder or a current guardian) it binds a person who already holds a
    code instead; the ID number and name must be theirs."""

    relation: Annotated[
        Literal["parent", "child", "spouse", "grandparent", "grandchild", "sibling", "other"],
        Field(description="the family member is the caller's … (parent: 父母, child: 子女, …)"),
    ]
    share_code: Annotated[
        StrictStr | None,
        Field(pattern=r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$", examples=["K7QX-M2PD"]),
    ] = None


class ByPhoneIn(_In):
    phone: Phone
    place_id: PlaceId | None = None


class VerifyIn(_In):
    token: Annotated[StrictStr, Field(min_length=1, max_length=4096)]
    place_id: PlaceId | None = None


class CheckerIn(_In):
    phone: Phone
    name: Annotated[Text, Field(max_length=50)]
    place_id: PlaceId


class RecordIn(_In):
    """One row of the authority's epidemic database."""

    record_id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    id_type: IdType
    id_number: Annotated[StrictStr, Field(max_length=64)]
    category: Category
    since: Day
    until: Day | None = None

    _id_number = field_validator("id_number")(_document_number)

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
    def _order(self) -> RecordIn:
        if self.until is not None and self.until < self.since:
            raise PydanticCustomError(
                "invalid_period", "until is before since", {"message_zh": "结束日期早于开始日期"}
            )
        return self

    def to_domain(self) -> Any:
        from chalicelib.services.records import RecordRow

        return RecordRow(
            self.record_id, self.id_type, self.id_number, self.category, self.since, self.until
        )


class RecordsIn(_In):
    """A batch: each row is checked on its own, so one bad row does not stop the others."""

    records: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=1000)]
    confirm: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{16}$")] | None = None


class RegionIn(_In):
    risk: Risk


class AppealIn(_In):
    message: Annotated[Text, Field(max_length=1000)]


class ResolveIn(_In):
    decision: Literal["corrected", "rejected"]
    reason: Annotated[Text, Field(max_length=500)]


CHECKIN_TEMPERATURE = (35.0, 42.0)


def _body_temperature(value: float) -> float:
    low, high = CHECKIN_TEMPERATURE
    if not low <= value <= high:  # also refuses NaN
        raise PydanticCustomError(
            "temperature_out_of_range",
            f"the temperature must be between {low} and {high} °C",
            {"message_zh": f"体温须在 {low}℃ 至 {high}℃ 之间"},
        )
    return value


def _distinct(symptoms: list[Symptom]) -> list[Symptom]:
    if len(set(symptoms)) != len(symptoms):
        raise PydanticCustomError(
            "duplicate_symptom", "each symptom may be listed once", {"message_zh": "症状不可重复"}
        )
    return symptoms


class CheckinIn(_In):
    """Today's check-in (健康打卡)."""

    temperature: Annotated[
        StrictFloat,
        Field(
            description="°C, 35.0 to 42.0",
            examples=[36.6],
            json_schema_extra={
                "minimum": CHECKIN_TEMPERATURE[0],
                "maximum": CHECKIN_TEMPERATURE[1],
            },
        ),
        AfterValidator(_body_temperature),
    ]
    symptoms: Annotated[list[Symptom], Field(max_length=7), AfterValidator(_distinct)]


# Responses (documentation and contract tests) ---------------------------------------------


class OtpOut(BaseModel):
    retry_after: int
    dev_code: str | None = Field(None, description="stage local only")


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    roles: list[str]


class ReasonOut(BaseModel):
    code: str
    rule: str
    color: Literal["green", "yellow", "red"]
    message: str
    message_zh: str
    until: str | None = Field(description="last day (inclusive, Asia/Shanghai) it holds")


class CodeView(BaseModel):
    person_id: str
    color: Literal["green", "yellow", "red"]
    masked_name: str
    reasons: list[ReasonOut]
    since: str
    valid_until: str | None
    profile: str
    rules_version: str
    token: str
    token_expires_at: str


class ApplicationOut(BaseModel):
    person_id: str
    code: CodeView


class PersonSummary(BaseModel):
    person_id: str
    masked_name: str
    relation: str
    color: Literal["green", "yellow", "red"]


class MeOut(BaseModel):
    phone: str
    roles: list[str]
    persons: list[PersonSummary]


class FamilyOut(BaseModel):
    family: list[PersonSummary]


class ShareCodeOut(BaseModel):
    share_code: str
    expires_at: str


class RevokedOut(BaseModel):
    revoked_before: str = Field(description="paper codes printed before this verify as revoked")


class PersonAtCheckpoint(BaseModel):
    masked_name: str
    color: Literal["green", "yellow", "red"]
    pass_: bool = Field(alias="pass")


class ByPhoneOut(BaseModel):
    people: list[PersonAtCheckpoint]


class VerifyOut(BaseModel):
    valid: bool
    pass_: bool = Field(alias="pass")
    color: Literal["green", "yellow", "red"] | None
    masked_name: str | None
    reason: str | None
    checked_at: str
    issuer: str | None = Field(None, description="who issued the code (ours or a partner's)")
    province_code: str | None = Field(None, description="the issuing province, e.g. 110000")


class CheckerOut(BaseModel):
    account_id: str
    masked_name: str
    place_id: str | None
    roles: list[str]


class ImportOut(BaseModel):
    applied: int
    duplicates: int
    unmatched: int
    errors: list[dict[str, Any]] = Field(description="one entry per problem of a bad row")
    recoloured: int
    failed: int = Field(description="named persons not re-evaluated (re-send the batch)")


class RegionOut(BaseModel):
    region_code: str
    risk: Literal["low", "medium", "high"]
    updated_at: str
    reevaluated: int
    recoloured: int
    deferred: int = Field(description="visitors left to the next recompare run")
    failed: int = Field(description="visitors not re-evaluated (the next recompare retries)")


class Change(BaseModel):
    at: str
    from_: Literal["green", "yellow", "red"] | None = Field(alias="from")
    to: Literal["green", "yellow", "red"]
    reasons: list[str]
    rule: str
    rules_version: str
    actor_kind: Literal["system", "authority", "self", "guardian"]


class HistoryOut(BaseModel):
    changes: list[Change]


class AdminChange(Change):
    actor: str | None
    source: str
    seq: int
    hash: str


class AdminHistoryOut(BaseModel):
    changes: list[AdminChange]
    intact: bool


class AppealOut(BaseModel):
    appeal_id: str
    status: Literal["open", "resolved"]


class AppealView(BaseModel):
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


class AppealsOut(BaseModel):
    appeals: list[AppealView]


class CheckinView(BaseModel):
    date: str = Field(description="Asia/Shanghai calendar day")
    temperature: float
    symptoms: list[str]


class CheckinOut(CheckinView):
    streak: int = Field(description="consecutive days with a check-in, up to today")
    color: Literal["green", "yellow", "red"]


class CheckinsOut(BaseModel):
    checkins: list[CheckinView] = Field(description="newest first, within retention")


class JwksOut(BaseModel):
    keys: list[dict[str, str]]


# Trust list and arrivals ------------------------------------------------------------------


def _custom(code: str, message: str, message_zh: str) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"message_zh": message_zh})


def _province(value: str) -> str:
    if value == "abroad":
        return value
    if len(value) != 6 or not value.endswith("0000"):
        raise _custom(
            "invalid_province_code",
            "use a 2-digit + 0000 GB/T 2260 province code, or abroad",
            "请使用省级行政区划代码（前两位加0000）或 abroad",
        )
    try:
        return validation.check_region_code(value)
    except validation.InvalidValue as bad:
        raise _custom("invalid_province_code", bad.message, bad.message_zh) from None


def _province_only(value: str) -> str:
    if value == "abroad":
        raise _custom("invalid_province_code", "a province code is needed", "须为省级行政区划代码")
    return _province(value)


ProvinceCode = Annotated[StrictStr, Field(examples=["110000"]), AfterValidator(_province_only)]


MAX_QUARANTINE_DAYS = 90


class ArrivalIn(_In):
    """An arrival declaration (来鲁申报): from another province, with its code token or the
    declared colour of its code, or from abroad, with the quarantine's end and the test."""

    origin_province: Annotated[
        StrictStr,
        Field(description="2-digit + 0000 GB/T 2260 code, or abroad", examples=["110000"]),
        AfterValidator(_province),
    ]
    origin_region: RegionCode | None = None
    arrival_date: Day
    transport: Annotated[Text, Field(max_length=100)]
    origin_token: Annotated[StrictStr, Field(min_length=1, max_length=4096)] | None = None
    origin_color: Literal["green", "yellow", "red"] | None = None
    quarantine_end: Day | None = None
    test_result: Literal["negative", "positive", "none"] = "none"
    test_date: Day | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ArrivalIn:
        problems = self._abroad() if self.origin_province == "abroad" else self._domestic()
        if (self.test_result == "none") != (self.test_date is None):
            problems.append(
                (
                    "test_date_with_result",
                    "test_date goes with a negative or positive test_result",
                    "检测日期须与检测结果同时填写",
                )
            )
        if problems:
            raise _custom(*problems[0])
        return self

    def _abroad(self) -> list[tuple[str, str, str]]:
        problems = []
        if self.origin_region is not None or self.origin_token is not None:
            problems.append(
                (
                    "origin_not_abroad",
                    "no origin_region or origin_token from abroad",
                    "境外来人无需填写来源地区或来源地健康码",
                )
            )
        if self.quarantine_end is None:
            problems.append(
                (
                    "quarantine_end_required",
                    "quarantine_end is required from abroad",
                    "境外来人须填写隔离期满日期",
                )
            )
        elif self.quarantine_end < self.arrival_date:
            problems.append(
                (
                    "invalid_quarantine_end",
                    "quarantine_end is before arrival_date",
                    "隔离期满日期早于抵达日期",
                )
            )
        elif self.quarantine_end > self.arrival_date + timedelta(days=MAX_QUARANTINE_DAYS):
            problems.append(
                (
                    "invalid_quarantine_end",
                    f"quarantine_end is more than {MAX_QUARANTINE_DAYS} days after arrival_date",
                    f"隔离期满日期晚于抵达日期 {MAX_QUARANTINE_DAYS} 天以上",
                )
            )
        return problems

    def _domestic(self) -> list[tuple[str, str, str]]:
        problems = []
        if self.origin_region is None:
            problems.append(
                ("origin_region_required", "origin_region is required", "须填写来源地区")
            )
        elif self.origin_region[:2] != self.origin_province[:2]:
            problems.append(
                (
                    "region_outside_province",
                    "origin_region is not in origin_province",
                    "来源地区不属于来源省份",
                )
            )
        if (self.origin_token is None) == (self.origin_color is None):
            problems.append(
                (
                    "origin_token_or_color",
                    "give either origin_token or origin_color",
                    "须提供来源地健康码或申报其颜色（二选一）",
                )
            )
        if self.quarantine_end is not None:
            problems.append(
                (
                    "quarantine_end_abroad_only",
                    "quarantine_end is for arrivals from abroad",
                    "隔离期满日期仅适用于境外来人",
                )
            )
        return problems

    def to_domain(self) -> Any:
        from chalicelib.domain.model import Color, TestResult
        from chalicelib.services.arrivals import ArrivalForm

        return ArrivalForm(
            origin_province=self.origin_province,
            origin_region=self.origin_region,
            arrival_date=self.arrival_date,
            transport=self.transport,
            origin_token=self.origin_token,
            origin_color=Color(self.origin_color) if self.origin_color else None,
            quarantine_end=self.quarantine_end,
            test_result=TestResult(self.test_result),
            test_date=self.test_date,
        )


class ArrivalApplicationIn(ApplicationIn):
    """An application (the seven items and the commitment) with the arrival."""

    arrival: ArrivalIn


class HolderArrivalIn(_In):
    arrival: ArrivalIn


class JwksIn(_In):
    """A partner's public keys. Only EC P-256 keys for ES256 are kept, each reduced to its
    public members (a private `d`, or anything else, is dropped); a set with none is refused."""

    keys: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=20)]

    @field_validator("keys")
    @classmethod
    def _usable(cls, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from chalicelib.security.partners import public_keys

        kept: list[dict[str, Any]] = []
        for jwk in keys:
            if jwk.get("alg", "ES256") != "ES256" or jwk.get("use", "sig") != "sig":
                continue
            public = {k: jwk.get(k) for k in ("kty", "crv", "x", "y", "kid")}
            if not isinstance(public["kid"], str) or not 1 <= len(public["kid"]) <= 64:
                continue
            if public_keys({"keys": [public]}):
                kept.append({**public, "use": "sig", "alg": "ES256"})
        if not kept:
            raise _custom(
                "no_usable_key",
                "the JWKS holds no EC P-256 public key with a kid",
                "密钥集中没有可用的 EC P-256 公钥（须含 kid）",
            )
        if len({k["kid"] for k in kept}) != len(kept):
            raise _custom("duplicate_kid", "two keys share a kid", "密钥标识 kid 重复")
        return kept


class IssuerIn(_In):
    """A partner province's code issuer to trust (省际互认)."""

    issuer: Annotated[
        StrictStr,
        Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", examples=["healthcode:110000"]),
    ]
    province_code: ProvinceCode
    name: Annotated[Text, Field(max_length=100)]
    jwks: JwksIn
    not_after: AwareDatetime | None = None

    def to_domain(self) -> Any:
        from chalicelib.services.trust import IssuerForm

        return IssuerForm(
            self.issuer, self.province_code, self.name, {"keys": self.jwks.keys}, self.not_after
        )


class PartnerIssuer(BaseModel):
    issuer: str
    province_code: str
    name: str
    jwks: JwksOut


class IssuerOut(PartnerIssuer):
    not_after: str | None
    trusted: bool = Field(description="false once past not_after")
    added_at: str


class IssuersOut(BaseModel):
    issuers: list[IssuerOut]


class TrustListOut(BaseModel):
    issuer: str = Field(description="our issuer id, who signs the list")
    issued_at: str
    not_after: str = Field(description="at most 24 hours after issued_at; refuse the list after")
    issuers: list[PartnerIssuer]


class FieldProblem(BaseModel):
    field: str
    code: str
    message: str
    message_zh: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    detail_zh: str
    errors: list[FieldProblem]
    request_id: str


# Parsing ----------------------------------------------------------------------------------

_GENERIC = {
    "extra_forbidden": ("unknown_field", "unknown field", "不允许的字段"),
    "missing": ("required", "field required", "缺少必填字段"),
    "literal_error": ("invalid_value", "", "取值不正确"),
}


def _field_error(error: Any) -> FieldError:
    field = ".".join(str(part) for part in error["loc"]) or "body"
    kind = error["type"]
    if kind in _GENERIC:
        code, message, message_zh = _GENERIC[kind]
        return FieldError(field, code, message or error["msg"], message_zh)
    ctx = error.get("ctx") or {}
    if "message_zh" in ctx:
        return FieldError(field, kind, error["msg"], str(ctx["message_zh"]))
    return FieldError(field, "invalid_value", error["msg"], "取值不正确")


def parse_rows(rows: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """Each row on its own: the valid ones as domain values, and the errors of the others."""
    valid, errors = [], []
    for index, row in enumerate(rows):
        try:
            valid.append(RecordIn.model_validate(row).to_domain())
        except ValidationError as invalid:
            record_id = row.get("record_id") if isinstance(row, dict) else None
            for problem in (_field_error(e) for e in invalid.errors()):
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


def parse(model: type[_In], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        errors = tuple(_field_error(e) for e in invalid.errors())
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


# Places, visits, reports (docs/decisions/0009) ----------------------------------------------


class PlaceIn(_In):
    """A place that puts up a place code (场所码)."""

    name: Annotated[Text, Field(max_length=100)]
    type: PlaceType
    region_code: RegionCode
    address: Annotated[Text, Field(max_length=200)]


class PlaceOut(BaseModel):
    place_id: str


class VisitIn(_In):
    place_token: Annotated[StrictStr, Field(min_length=1, max_length=4096)]


class VisitPlace(BaseModel):
    name: str
    type: PlaceType


class VisitOut(BaseModel):
    """The screen the holder shows at the door."""

    place: VisitPlace
    at: str
    color: Literal["green", "yellow", "red"]
    masked_name: str


class VisitView(BaseModel):
    place_id: str
    place: VisitPlace
    at: str
    color: Literal["green", "yellow", "red"] = Field(description="the colour at the visit")


class VisitsOut(BaseModel):
    visits: list[VisitView] = Field(description="newest first, within retention (28 days)")


class ReportView(BaseModel):
    at: str
    kind: Literal["scan", "visit"]
    place_id: str | None
    region_code: str
    color: Literal["yellow", "red"]
    person_id: str | None = Field(description="pseudonymous; null for partner provinces' codes")


class ReportsOut(BaseModel):
    reports: list[ReportView] = Field(description="newest first")
    truncated: bool = Field(description="more reports than the limit: narrow `since`")
