"""Arrivals (来鲁申报) and the partner issuers of the trust list (省际互认)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    ConfigDict,
    Field,
    StrictStr,
    field_validator,
    model_validator,
)

from chalicelib import validation
from chalicelib.api import formats
from chalicelib.api.schemas.common import (
    Answer,
    ArrivalDay,
    Day,
    DayUntilToday,
    PartnerCode,
    RegionCode,
    RequestBody,
    Text,
    custom_error,
)
from chalicelib.api.schemas.persons import ApplicationIn
from chalicelib.api.schemas.verify import JwksOut


def _province(value: str) -> str:
    if value == "abroad":
        return value
    if len(value) != 6 or not value.endswith("0000"):
        raise custom_error(
            "invalid_province_code",
            "use a 2-digit + 0000 GB/T 2260 province code, or abroad",
            "请使用省级行政区划代码（前两位加0000）或 abroad",
        )
    try:
        return validation.check_region_code(value)
    except validation.InvalidValue as bad:
        raise custom_error("invalid_province_code", bad.message, bad.message_zh) from None


def _province_only(value: str) -> str:
    if value == "abroad":
        raise custom_error(
            "invalid_province_code", "a province code is needed", "须为省级行政区划代码"
        )
    return _province(value)


ProvinceCode = Annotated[
    StrictStr,
    Field(json_schema_extra={k: v for k, v in formats.PROVINCE_CODE.items() if k != "type"}),
    AfterValidator(_province_only),
]


MAX_QUARANTINE_DAYS = 90
QUARANTINE_DAYS = (
    14  # 自境外入鲁（返鲁）人员隔离期满后: a quarantine is 14 days, counted D+1 … D+14
)


def _nothing(*fields: str) -> dict[str, Any]:
    return {name: {"type": "null"} for name in fields}


def _arrival_rules(schema: dict[str, Any]) -> None:
    """How the fields go together, for the document (`_consistent` checks the same)."""
    abroad = {
        "properties": {"origin_province": {"const": "abroad"}}
        | _nothing("origin_region", "origin_token")
        | {"quarantine_end": {"type": "string"}},
        "required": ["quarantine_end"],
    }
    in_province = [
        {
            "properties": {
                "origin_province": {"const": code},
                "origin_region": {"type": "string", "pattern": f"^{code[:2]}"},
            }
        }
        for code in validation.province_codes()
    ]
    token_or_colour = [
        {
            "properties": {"origin_token": {"type": "string"}} | _nothing("origin_color"),
            "required": ["origin_token"],
        },
        {
            "properties": {"origin_color": {"type": "string"}} | _nothing("origin_token"),
            "required": ["origin_color"],
        },
    ]
    domestic = {
        "properties": _nothing("quarantine_end"),
        "required": ["origin_region"],
        "allOf": [{"anyOf": in_province}, {"anyOf": token_or_colour}],
    }
    tested = [
        {"properties": {"test_result": {"const": "none"}} | _nothing("test_date")},
        {
            "properties": {
                "test_result": {"enum": ["negative", "positive"]},
                "test_date": {"type": "string"},
            },
            "required": ["test_result", "test_date"],
        },
    ]
    schema["allOf"] = [{"oneOf": [abroad, domestic]}, {"anyOf": tested}]


class ArrivalIn(RequestBody):
    """An arrival declaration (来鲁申报): from another province, with its code token or the
    declared colour of its code, or from abroad, with the quarantine's end and the test."""

    model_config = ConfigDict(json_schema_extra=_arrival_rules)

    origin_province: Annotated[
        StrictStr,
        Field(
            description="2-digit + 0000 GB/T 2260 code, or abroad",
            examples=["110000"],
            json_schema_extra={"anyOf": [formats.PROVINCE_CODE, {"const": "abroad"}]},
        ),
        AfterValidator(_province),
    ]
    origin_region: RegionCode | None = Field(
        None, description="in origin_province; null from abroad"
    )
    arrival_date: ArrivalDay
    transport: Annotated[Text, Field(max_length=100)]
    origin_token: PartnerCode | None = Field(
        None,
        description=(
            "a trusted partner's live code token, v1 (a JWT, header typ absent or JWT) or v2"
            " (`HC2:`, docs/api.md); arrival_date is then"
            " the token's issue day (Asia/Shanghai) or the day before, and not after today (else"
            " 400 invalid_arrival_date)"
        ),
    )
    origin_color: Literal["green", "yellow", "red"] | None = None
    quarantine_end: Day | None = Field(
        None,
        description=(
            f"from abroad only: from {QUARANTINE_DAYS} to {MAX_QUARANTINE_DAYS} days after"
            " arrival_date (earlier: 400 quarantine_too_short)"
        ),
    )
    test_result: Literal["negative", "positive", "none"] = "none"
    test_date: DayUntilToday | None = None

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
            raise custom_error(*problems[0])
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
        elif self.quarantine_end < self.arrival_date + timedelta(days=QUARANTINE_DAYS):
            problems.append(
                (
                    "quarantine_too_short",
                    f"quarantine_end is less than {QUARANTINE_DAYS} days after arrival_date",
                    f"隔离期满日期距抵达日期不足{QUARANTINE_DAYS}天",
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


class HolderArrivalIn(RequestBody):
    arrival: ArrivalIn


_COORDINATE = {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"}
_EC_PUBLIC_JWK = {
    "type": "object",
    "properties": {
        "kty": {"const": "EC"},
        "crv": {"const": "P-256"},
        "x": _COORDINATE,
        "y": _COORDINATE,
        "kid": {"type": "string", "minLength": 1, "maxLength": 64},
        "alg": {"const": "ES256"},
        "use": {"const": "sig"},
    },
    "required": ["kty", "crv", "x", "y", "kid"],
}


class JwksIn(RequestBody):
    """A partner's public keys. Only EC P-256 keys for ES256 are kept, each reduced to its
    public members (a private `d`, or anything else, is dropped); a set with none is refused."""

    keys: Annotated[
        list[dict[str, Any]],
        Field(
            min_length=1,
            max_length=20,
            description="EC P-256 public keys (x and y a point on the curve), distinct kids",
            json_schema_extra={"items": _EC_PUBLIC_JWK},
        ),
    ]

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
            raise custom_error(
                "no_usable_key",
                "the JWKS holds no EC P-256 public key with a kid",
                "密钥集中没有可用的 EC P-256 公钥（须含 kid）",
            )
        if len({k["kid"] for k in kept}) != len(kept):
            raise custom_error("duplicate_kid", "two keys share a kid", "密钥标识 kid 重复")
        return kept


class IssuerIn(RequestBody):
    """A partner province's code issuer to trust (省际互认)."""

    issuer: Annotated[
        StrictStr,
        Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", examples=["healthcode:110000"]),
    ]
    province_code: ProvinceCode
    name: Annotated[Text, Field(max_length=100)]
    jwks: JwksIn
    not_after: (
        Annotated[AwareDatetime, Field(json_schema_extra={"format": "future-date-time"})] | None
    ) = None

    def to_domain(self) -> Any:
        from chalicelib.services.trust import IssuerForm

        return IssuerForm(
            self.issuer, self.province_code, self.name, {"keys": self.jwks.keys}, self.not_after
        )


class PartnerIssuer(Answer):
    issuer: str
    province_code: str
    name: str
    jwks: JwksOut


class IssuerOut(PartnerIssuer):
    not_after: str | None
    trusted: bool = Field(description="false once past not_after")
    added_at: str


class IssuersOut(Answer):
    issuers: list[IssuerOut]


class TrustListOut(Answer):
    issuer: str = Field(description="our issuer id, who signs the list")
    issued_at: str
    not_after: str = Field(description="at most 24 hours after issued_at; refuse the list after")
    issuers: list[PartnerIssuer]
