"""What the system keeps. Plain values: storage maps them to tables (and encrypts the personal
fields on the way); services and rules never see a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from chalicelib.domain.model import Arrival, Color, Declaration, IdType, Reason, Role


@dataclass(frozen=True)
class Account:
    """A phone login. Checkers also carry their name and enrolled place."""

    account_id: str
    phone: str
    roles: frozenset[Role]
    created_at: datetime
    name: str | None = None
    place_id: str | None = None


@dataclass(frozen=True)
class Person:
    """The holder of one health code."""

    person_id: str
    name: str
    id_type: IdType
    id_number: str
    phone: str
    nationality: str
    address: str
    region_code: str
    declaration: Declaration
    declared_on: date
    color: Color
    reasons: tuple[Reason, ...]
    since: datetime
    profile: str
    rules_version: str
    created_at: datetime
    version: int = 0
    history_seq: int = 0
    history_hash: str | None = None
    id_key: str = ""  # the blind index of the ID document: how records find the person
    due: date | None = None  # the review day: when the colour may change by itself
    self_held: bool = False  # the person holds their own code (a `self` link)
    guardians: int = 0  # current guardians (为家人代办), at most config.max_guardians()
    paper_not_before: datetime | None = None  # paper codes printed before this are revoked
    arrival: Arrival | None = None  # the latest arrival declaration (来鲁申报)


@dataclass(frozen=True)
class Status:
    """What a checkpoint needs of a person: the current colour and the name to mask."""

    person_id: str
    color: Color
    name: str
    paper_not_before: datetime | None = None


@dataclass(frozen=True)
class Link:
    """Who may act for a person: the person themself (`self`) or a guardian (a family relation)."""

    account_id: str
    person_id: str
    relation: str
    created_at: datetime


@dataclass(frozen=True)
class SigningKey:
    """An ES256 key. `retire_at`: published until then; None while it is the signing key.
    `revoked_at`: pulled at once (a leaked key): unpublished, and nothing it signed verifies."""

    kid: str
    purpose: str
    private_pem: bytes = field(repr=False)
    public_jwk: dict[str, str]
    created_at: datetime
    retire_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """An ID's owner claiming the person someone else made with it (ID squatting). Personal
    fields are encrypted at rest."""

    claim_id: str
    account_id: str  # the claimant's
    id_type: str
    id_number: str
    id_key: str
    name: str
    message: str
    created_at: datetime
    status: str = "open"  # open | resolved
    decision: str | None = None  # transfer | reject
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class KeptAnswer:
    """What a request sent with an Idempotency-Key answered (`status` None: still running)."""

    fingerprint: str
    status: int | None
    content_type: str | None
    body: str | None


@dataclass(frozen=True)
class Scan:
    """One verification at a checkpoint. No personal data: a pseudonymous person id at most."""

    scan_id: str
    at: datetime
    checker_id: str
    place_id: str | None
    valid: bool
    passed: bool
    color: Color | None
    reason: str | None
    person_id: str | None
    via: str = "token"  # `token` (a QR) or `phone` (lookup by a guardian's phone)


@dataclass(frozen=True)
class Appeal:
    """A holder's complaint about a colour (反馈与投诉 / 纠错), and how the authority decided."""

    appeal_id: str
    person_id: str
    account_id: str
    message: str
    status: str  # open | resolved
    created_at: datetime
    color: Color  # the colour complained about
    decision: str | None = None  # corrected | rejected
    reason: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


# Trust list (省际互认) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """A partner province's code issuer we trust: its public keys (a JWKS of EC P-256 public
    keys only) until `not_after` (None: until removed)."""

    issuer: str
    province_code: str
    name: str
    jwks: dict[str, list[dict[str, str]]]
    not_after: datetime | None
    added_by: str
    added_at: datetime

    def trusted_at(self, now: datetime) -> bool:
        return self.not_after is None or now < self.not_after
