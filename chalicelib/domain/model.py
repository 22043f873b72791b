"""Values the rules work on. Frozen dataclasses and enums; no I/O, no third-party imports."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime


class Color(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Color.GREEN: 0, Color.YELLOW: 1, Color.RED: 2}


class IdType(enum.StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"


class Symptom(enum.StrEnum):
    FEVER = "fever"
    DRY_COUGH = "dry_cough"
    SHORTNESS_OF_BREATH = "shortness_of_breath"
    FATIGUE = "fatigue"
    COUGH = "cough"
    DIARRHEA = "diarrhea"
    CONJUNCTIVITIS = "conjunctivitis"


# 发热（体温大于或等于37.3℃） (004_c9687e30082c0c46.txt): a fever, wherever it is measured.
FEVER_CELSIUS = 37.3


def is_fever(temperature: float | None, symptoms: Iterable[Symptom] = ()) -> bool:
    """A temperature of FEVER_CELSIUS or more, or fever among the symptoms."""
    return (temperature is not None and temperature >= FEVER_CELSIUS) or Symptom.FEVER in symptoms


class Risk(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


RISK_ORDER = (Risk.LOW, Risk.MEDIUM, Risk.HIGH)


def highest_risk(risks: Iterable[Risk]) -> Risk:
    """The highest of `risks` (low when there are none)."""
    return max(risks, key=RISK_ORDER.index, default=Risk.LOW)


class Category(enum.StrEnum):
    """Epidemic record categories kept by the health authority."""

    CONFIRMED = "confirmed"
    SUSPECTED = "suspected"
    ASYMPTOMATIC = "asymptomatic"
    CLOSE_CONTACT = "close_contact"
    FEVER_CLINIC = "fever_clinic"
    RECOVERED_OBSERVATION = "recovered_observation"
    ABROAD_QUARANTINE = "abroad_quarantine"
    # Hubei's 居家隔离且尚未复核新冠肺炎症状: lasts until the authority records the re-check.
    HOME_ISOLATION_UNCHECKED = "home_isolation_unchecked"
    # A fever case (发热病例): a fever measured at a checkpoint or reported in a check-in, recorded
    # by this service under a policy with `fever_cases` (Hubei), or imported by the authority.
    FEVER = "fever"
    # Shandong's catch-alls: 其他需要纳入高风险人员管理的人员 (red),
    # 其他需要纳入中风险人员管理的人员 (yellow), 全省疫情数据库14天内异常的人员 (yellow, 14
    # days). Each needs the authority's `note`.
    OTHER_HIGH_RISK = "other_high_risk"
    OTHER_MEDIUM_RISK = "other_medium_risk"
    DATABASE_ABNORMAL = "database_abnormal"
    CLEARED = "cleared"


# The catch-all categories say nothing by themselves: the authority's short reason goes with them.
NOTE_REQUIRED = frozenset(
    {Category.OTHER_HIGH_RISK, Category.OTHER_MEDIUM_RISK, Category.DATABASE_ABNORMAL}
)
NOTE_MAX = 200


class Role(enum.StrEnum):
    RESIDENT = "resident"
    CHECKER = "checker"
    ADMIN = "admin"


@dataclass(frozen=True)
class Declaration:
    """The 14-day contact history and health statement made with an application."""

    visited_regions: tuple[str, ...] = ()
    contact_with_case: bool = False
    fever_clinic_visit: bool = False
    symptoms: tuple[Symptom, ...] = ()
    temperature: float | None = None
    from_abroad: bool = False


@dataclass(frozen=True)
class Record:
    """One entry of the provincial epidemic database about one person.

    `since` and `until` are Asia/Shanghai calendar dates, both inclusive; `until` None means the
    policy's default lifetime for the category applies.
    """

    record_id: str
    category: Category
    since: date
    until: date | None = None
    # When the authority imported it: a `cleared` record ends only what was known before it.
    imported_at: datetime | None = None
    # The authority's short reason, shown to the holder (required for NOTE_REQUIRED categories).
    note: str | None = None


@dataclass(frozen=True)
class Checkin:
    """One daily health check-in (健康打卡) on an Asia/Shanghai calendar day."""

    day: date
    temperature: float
    symptoms: tuple[Symptom, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Everything the colour rules look at for one person on one day.

    `checkins` are the recent daily check-ins, oldest first; `previous` is the colour the person
    had before this evaluation (None for a new application)."""

    declaration: Declaration
    declared_on: date
    region_risks: dict[str, Risk] = field(default_factory=dict)
    records: tuple[Record, ...] = ()
    checkins: tuple[Checkin, ...] = ()
    previous: Color | None = None
    arrival: Arrival | None = None  # the latest arrival declaration (来鲁申报), if any


@dataclass(frozen=True)
class Reason:
    """Why a code has its colour. `until` is the last calendar day (inclusive) the reason holds."""

    code: str
    rule: str
    color: Color
    message: str
    message_zh: str
    until: date | None = None
    note: str | None = None  # the authority's notes on the records behind it, for the holder


@dataclass(frozen=True)
class Assessment:
    color: Color
    reasons: tuple[Reason, ...]
    profile: str
    rules_version: str

    @property
    def valid_until(self) -> date | None:
        """The last day the colour is known to hold: it lasts while any of its reasons does, so
        the latest end among them; None when one has no end (it lasts until something changes)."""
        ends = [r.until for r in self.reasons if r.color == self.color]
        if not ends or any(end is None for end in ends):
            return None
        return max(e for e in ends if e is not None)


# Arrivals (来鲁申报) ------------------------------------------------------------------------------

ABROAD = "abroad"


class TestResult(enum.StrEnum):
    __test__ = False  # not a pytest class, whatever its name

    NEGATIVE = "negative"
    POSITIVE = "positive"
    NONE = "none"


@dataclass(frozen=True)
class VerifiedOrigin:
    """A red or yellow origin code that a verified partner token showed on `arrival_date`: its
    window runs from that day whatever is declared later without a token."""

    color: Color
    issuer: str
    arrival_date: date


@dataclass(frozen=True)
class Arrival:
    """Someone arriving from another province (`origin_province` a 2-digit + 0000 code) or from
    abroad (`ABROAD`). `origin_color` is the colour of the origin's code: from a verified partner
    token (`origin_issuer` names its issuer) or as declared; None from abroad without one.
    `origin_risk` is the origin's risk fixed on the arrival date (the highest of its region and
    province): taken when the arrival is declared on or after that day, or by the re-evaluation on
    that day for one announced ahead; None until then. A later downgrade does not lower it.
    `held` is a red or yellow colour that a verified token of an earlier arrival started and
    that a declaration without a token cannot end (`after`). Dates are Asia/Shanghai dates."""

    origin_province: str
    origin_region: str | None
    arrival_date: date
    transport: str
    origin_color: Color | None
    origin_issuer: str | None = None
    quarantine_end: date | None = None
    test_result: TestResult = TestResult.NONE
    test_date: date | None = None
    origin_risk: Risk | None = None
    held: VerifiedOrigin | None = None

    @property
    def abroad(self) -> bool:
        return self.origin_province == ABROAD

    @property
    def origin_codes(self) -> tuple[str, ...]:
        """The region codes whose risk counts for the origin: the region and its province."""
        codes = (self.origin_region, None if self.abroad else self.origin_province)
        return tuple(dict.fromkeys(c for c in codes if c))

    @property
    def verified(self) -> VerifiedOrigin | None:
        """The red or yellow colour this arrival's own verified partner token started."""
        if self.origin_issuer is None or self.origin_color in (None, Color.GREEN):
            return None
        assert self.origin_color is not None
        return VerifiedOrigin(self.origin_color, self.origin_issuer, self.arrival_date)

    def after(self, previous: Arrival | None) -> Arrival:
        """This arrival, declared while `previous` was the person's last. A verified token speaks
        for itself (a later verified code ends an earlier one); a declaration without one keeps
        the red or yellow colour an earlier verified token started, for that one's own window
        (the epidemic database's `cleared` record or the authority ends it sooner)."""
        if self.origin_issuer is not None or previous is None:
            return replace(self, held=None)
        return replace(self, held=previous.verified or previous.held)

    def fixed(self, region_risks: Mapping[str, Risk], today: date) -> Arrival:
        """This arrival with its origin's risk fixed, from `region_risks` as they are on `today`,
        once the person has arrived (中风险地区的人员……抵达目的地后，需要居家隔离医学观察14天: the
        risk on arriving counts); unchanged before the arrival, from abroad or once fixed."""
        if self.abroad or self.origin_risk is not None or today < self.arrival_date:
            return self
        risk = highest_risk(region_risks.get(code, Risk.LOW) for code in self.origin_codes)
        return replace(self, origin_risk=risk)
