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
from chalicelib.domain.places import Place, PlaceVisit, Report


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
        dependent_limit: int | None = None,
    ) -> None:
        """Person, link, uniqueness markers (e.g. `id:<blind index>`), the first history entry and
        the declared visits (region -> person, counting until `visits_until`) in one transaction.
        Raises AlreadyApplied when a marker is already taken. A guardian's link (relation other
        than `self`) also counts against the account's `dependent_limit` (TooManyDependents)."""

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

    def resolve_appeal(
        self, appeal: Appeal, cleared: tuple[str, Record] | None = None, *, at: datetime
    ) -> None:
        """Stores the decision and, for a correction, its `cleared` record (id key, record) in
        one transaction; Conflict when it was resolved meanwhile."""

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

    def delete_visits_until_day(self, day: date) -> int:
        """Deletes the declared region visits that stopped counting on that day (and were not
        moved on by a later declaration); returns how many."""

    # Scheduled jobs
    def get_watermark(self, name: str) -> str | None: ...

    def set_watermark(self, name: str, value: str) -> None: ...

    # Family (为家人代办), paper codes, lookups, deletion (注销)
    def bind(
        self,
        link: Link,
        *,
        share_key: str,
        now: datetime,
        max_dependents: int,
        max_guardians: int,
    ) -> None:
        """Binds a guardian to a person who holds a code, consuming the one-time share code
        `share_key` (a marker for that person, not expired, whose issuer still acts for the
        person), in one transaction. Raises InvalidShareCode, AlreadyBound, TooManyDependents
        or TooManyGuardians."""

    def put_share(
        self, share_key: str, person_id: str, issued_by: str, expires_at: datetime
    ) -> None: ...

    def unbind(self, account_id: str, person_id: str) -> None:
        """Removes a guardian's link at once. Raises NotFound when there is none (or it is the
        person's own) and LastGuardian when nobody else could act for the person."""

    def links_to(self, person_id: str) -> list[Link]:
        """Everyone who may act for the person (the holder and the guardians)."""

    def revoke_paper_codes(self, person_id: str, before: datetime) -> None:
        """Paper codes issued before `before` verify as revoked from now on."""

    def count_hit(self, key: str, limit: int | None, expires_at: datetime, amount: int = 1) -> bool:
        """Adds `amount` uses of a limited thing (e.g. lookups per checker and hour) at once;
        False, and nothing counted, when that would pass `limit` (None: no limit; a negative
        amount corrects an earlier reservation)."""

    def count_of(self, key: str) -> int:
        """A counter's value (0 when there is none)."""

    def erase_person(
        self,
        person: Person,
        links: list[Link],
        markers: tuple[str, ...],
        anonymous: list[HistoryEntry],
    ) -> dict[str, int]:
        """Deletes a person's check-ins, scans, place visits, appeals and declared visits,
        replaces their history by `anonymous` (entries under a new, unrelated id), then deletes
        the person, the `markers` and the `links` in one transaction (the ID may apply again at
        once), each guardian's count of dependents going down by one. Safe to repeat after an
        interruption. Returns how many items of each kind went."""

    # Places, visits, reports (docs/decisions/0009) -------------------------------------------
    def add_place(self, place: Place) -> None:
        """Stores a new place, only while the key that signed its token is not retired:
        Conflict otherwise (the caller re-reads the keys and signs again)."""

    def get_place(self, place_id: str) -> Place | None:
        """Read consistently: a closed place's code stops working at once."""

    def close_place(self, place_id: str, at: datetime) -> Place | None:
        """Closes the place (a second close keeps the first time); None when there is none."""

    def place_key_in_use(self, kid: str) -> bool:
        """Whether an open place holds a token signed by that place key."""

    def add_place_visit(self, visit: PlaceVisit, report: Report | None) -> None:
        """The visit and, for a yellow or red one, its report: both or neither."""

    def place_visits_of(self, person_id: str, since: datetime) -> list[PlaceVisit]:
        """The person's place visits at or after `since`, newest first, read consistently."""

    def delete_place_visits_of(self, person_id: str) -> int:
        """Deletes every place visit of one person (注销); returns how many."""

    def delete_place_visits_of_day(self, day: date) -> int:
        """Deletes every place visit of that Asia/Shanghai day; returns how many."""

    def add_report(self, report: Report) -> None: ...

    def reports_for(self, region_code: str, since: datetime, limit: int) -> list[Report]:
        """The region's reports at or after `since`, newest first, at most `limit`."""

    def delete_reports_of_day(self, day: date) -> int:
        """Deletes every report of that Asia/Shanghai day; returns how many."""

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
