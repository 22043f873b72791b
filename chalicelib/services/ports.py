"""The store the services talk to. Two implementations keep the same contract:
`storage.dynamo.DynamoStore` (DynamoDB) and `storage.memory.MemoryStore` (tests, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.entities import (
    Account,
    Appeal,
    Issuer,
    Link,
    Person,
    Scan,
    SigningKey,
    Status,
)
from chalicelib.domain.history import HistoryEntry
from chalicelib.domain.model import Arrival, Checkin, Record, Risk, Role
from chalicelib.domain.otp import OtpState


class Store(Protocol):
    # Login
    def get_otp(self, phone_key: str) -> tuple[OtpState | None, int]:
        """The state and its version (0 when there is none)."""

    def save_otp(self, phone_key: str, state: OtpState, expected_version: int) -> None:
        """Raises Conflict when the version moved on meanwhile."""

    def account_for_phone(self, phone_key: str) -> Account | None: ...

    def create_account(self, account: Account, phone_key: str) -> None:
        """Atomically with its phone marker. Raises Conflict when the phone already has one."""

    def get_account(self, account_id: str) -> Account | None: ...

    def grant_role(
        self, account_id: str, role: Role, *, name: str | None, place_id: str | None
    ) -> Account: ...

    def accounts_with_role(self, role: Role, limit: int) -> list[Account]: ...

    # Persons
    def create_person(
        self,
        person: Person,
        id_key: str,
        link: Link,
        markers: tuple[str, ...],
        entry: HistoryEntry,
        due: date | None,
        visits: tuple[str, ...] = (),
        visits_until: date | None = None,
    ) -> None:
        """Person, link, uniqueness markers (e.g. `id:<blind index>`), the first history entry and
        the declared visits (region -> person, counting until `visits_until`) in one transaction.
        Raises AlreadyApplied when a marker is already taken."""

    def persons_for_id_keys(self, id_keys: Iterable[str]) -> dict[str, str]:
        """The person holding each ID (by its blind index), for those that have one."""

    def persons_visiting(self, region_code: str, today: date) -> list[str]:
        """Persons whose declared visit to the region still counts today."""

    def count_persons(self) -> int:
        """All persons (may be a few hours stale on AWS: fine for proportions)."""

    def person_ids(
        self, segment: int, segments: int, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """One page of one segment of all person ids, and where the next page starts."""

    # Small named states (job cursors, guard reports)
    def get_state(self, name: str) -> str | None: ...

    def put_state(self, name: str, value: str) -> None: ...

    def take_state(self, name: str) -> str | None:
        """Reads and deletes a state at once: only one caller gets it."""

    # Appeals
    def add_appeal(self, appeal: Appeal) -> None: ...

    def get_appeal(self, appeal_id: str) -> Appeal | None: ...

    def appeals(self, status: str, limit: int) -> list[Appeal]:
        """Oldest first."""

    def resolve_appeal(self, appeal: Appeal) -> None:
        """Stores the decision; Conflict when it was resolved meanwhile."""

    def save_assessment(
        self, person: Person, expected_version: int, entry: HistoryEntry | None, due: date | None
    ) -> None:
        """Stores a re-evaluated person (colour, reasons, since, version, history head, review
        day) and, when the colour changed, its history entry, in one transaction; only over the
        version it was read at (Conflict otherwise)."""

    def history_of(self, person_id: str) -> list[HistoryEntry]: ...

    def persons_due(self, day: date) -> list[str]:
        """Persons whose review day is `day` (read from an index: may lag a moment)."""

    def due_persons(self, day: date) -> Iterator[Person]:
        """The persons whose review day is `day`, as the index has them: each read once, but a
        copy may lag behind the person (reassess writes over its version only)."""

    def get_person(self, person_id: str, *, consistent: bool = False) -> Person | None: ...

    def get_status(self, person_id: str) -> Status | None:
        """The current colour and name only, read consistently (the verify path)."""

    def get_link(self, account_id: str, person_id: str) -> Link | None: ...

    def links_of(self, account_id: str) -> list[Link]: ...

    # Epidemic database
    def region_risks(self, codes: Iterable[str]) -> dict[str, Risk]: ...

    def put_region(self, code: str, risk: Risk, *, by: str, at: datetime) -> None: ...

    def records_for(self, id_key: str) -> list[Record]: ...

    def put_record(self, id_key: str, record: Record, *, by: str, at: datetime) -> bool:
        """False when a record with that id is already kept (idempotent)."""

    # Keys and scans
    def signing_keys(self, purpose: str) -> list[SigningKey]: ...

    def add_signing_key(self, key: SigningKey) -> None: ...

    def retire_signing_key(self, purpose: str, kid: str, retire_at: datetime) -> None: ...

    def add_scan(self, scan: Scan) -> None: ...

    def delete_scans_of_day(self, day: date) -> int:
        """Deletes every scan of that Asia/Shanghai day; returns how many."""

    def delete_otps_of_day(self, day: date) -> int:
        """Deletes the login states whose last activity (a send, or a code's expiry) fell on
        that Asia/Shanghai day and that nothing touched since; returns how many."""

    # Check-ins
    def put_checkin(self, person_id: str, checkin: Checkin, at: datetime) -> bool:
        """Stores the day's check-in, replacing an earlier one of the same day; True when it is
        the day's first."""

    def checkins_of(self, person_id: str, first: date, last: date) -> list[Checkin]:
        """The check-ins from `first` to `last` (inclusive), oldest first, read consistently."""

    def delete_checkins_of_day(self, day: date) -> int:
        """Deletes every check-in of that day; returns how many."""

    # Scheduled jobs
    def get_watermark(self, name: str) -> str | None: ...

    def set_watermark(self, name: str, value: str) -> None: ...

    # Trust list and arrivals
    def put_issuer(self, issuer: Issuer) -> bool:
        """Trusts the issuer, replacing what was kept under its id; True when it is new."""

    def get_issuer(self, issuer: str) -> Issuer | None:
        """Read consistently: a removed issuer is untrusted at once."""

    def issuers(self) -> list[Issuer]:
        """Every trusted issuer (including those past not_after), by id, read consistently."""

    def delete_issuer(self, issuer: str) -> bool:
        """False when there was none."""

    def claim_origin_token(self, key: str, until: datetime, at: datetime) -> bool:
        """Marks a partner token (`<iss> <jti>`) used, kept at least `until` (its expiry);
        False when it was already claimed. Of concurrent claims exactly one wins."""

    def release_origin_token(self, key: str) -> None:
        """Undoes a claim whose arrival could not be stored."""

    def save_arrival(
        self, person_id: str, arrival: Arrival, visits: tuple[str, ...], visits_until: date
    ) -> None:
        """Stores the person's latest arrival (moving their version on, so a re-evaluation in
        flight re-reads) and the origin regions as declared visits, in one transaction."""
