"""What the services need from storage: one small port per aggregate, composed in `Store`.
DynamoDB implements each in `chalicelib.storage.dynamo` (a module per port, its item mapping
beside it); docs/decisions/0012-ports-per-aggregate.md says why there is no second backend."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.entities import (
    Account,
    Appeal,
    Claim,
    Issuer,
    KeptAnswer,
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

# Where a page of a day's partition ends (DynamoDB's LastEvaluatedKey): opaque to the services,
# plain JSON so that a job can save it and resume there. Every `delete_page` (and
# `delete_visits_page`) deletes up to `limit` items of `day`'s partition `shard` (0 <= shard <
# config.shards_read of its kind) after `after` (None: from the start) and returns how many it
# deleted and where the next page starts (None: that partition is done).
Page = dict[str, Any]


class Logins(Protocol):
    """Login codes per phone (by the phone's blind index)."""

    def get(self, phone_key: str) -> tuple[OtpState | None, int]:
        """The state and its version (0 when there is none)."""

    def save(self, phone_key: str, state: OtpState, expected_version: int) -> None:
        """Raises Conflict when the version moved on meanwhile."""

    def count_try(self, phone_key: str, max_attempts: int, now: int) -> OtpState | None:
        """Counts one try at the number's code in one conditional write, only while a code is
        kept, unexpired at `now` and tried fewer than `max_attempts` times; the state after the
        count, or None when no try may be counted (parallel tries each count: at most
        `max_attempts` ever do)."""

    def consume(self, phone_key: str, code_hash: str) -> bool:
        """Removes the code if it is still `code_hash`; False when a parallel use took it."""

    def delete_of_day(self, day: date) -> int:
        """Deletes the login states whose last activity (a send, or a code's expiry) fell on
        that Asia/Shanghai day and that nothing touched since; returns how many."""

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        """One page of delete_of_day's states (see Page)."""


class Accounts(Protocol):
    def for_phone(self, phone_key: str) -> Account | None: ...

    def create(self, account: Account, phone_key: str) -> None:
        """Atomically with its phone marker. Raises Conflict when the phone already has one."""

    def get(self, account_id: str) -> Account | None: ...

    def grant_role(
        self, account_id: str, role: Role, *, name: str | None, place_id: str | None
    ) -> Account: ...

    def with_role(self, role: Role, limit: int) -> list[Account]:
        """Management use only (create-admin --if-none): a scan, never on a request path."""

    def checkers(self) -> list[Account]:
        """The enrolled checkers, from their index."""

    def withdraw_checker(self, account_id: str) -> bool:
        """Takes the checker role and place away at once; False when the account is no
        checker."""


Markers = tuple[str, ...]  # uniqueness markers, e.g. `id:<blind index>`, `self:<account>`


@dataclass(frozen=True)
class NewPerson:
    """Everything one application stores at once: the person (with its id key, review day and
    history head), the link of whoever applied, the uniqueness markers, the first history entry
    and the declared visits (region -> person, counting until `visits_until`). A guardian's link
    (relation other than `self`) also counts against the account's `dependent_limit`."""

    person: Person
    link: Link
    markers: Markers
    entry: HistoryEntry
    visits: tuple[str, ...] = ()
    visits_until: date | None = None
    dependent_limit: int | None = None

    def __post_init__(self) -> None:
        if not self.person.id_key:  # records are found by it: a person without one never has any
            raise ValueError("a new person carries the blind index of its ID document")


class Persons(Protocol):
    def create(self, new: NewPerson) -> None:
        """All of it in one transaction. Raises AlreadyApplied when a marker is already taken,
        TooManyDependents when a guardian is at the limit, Conflict when other writes kept it
        from going through (after a few tries)."""

    def get(self, person_id: str, *, consistent: bool = False) -> Person | None: ...

    def status(self, person_id: str) -> Status | None:
        """The current colour and name only, read consistently (the verify path)."""

    def for_id_keys(self, id_keys: Iterable[str]) -> dict[str, str]:
        """The person holding each ID (by its blind index), for those that have one."""

    def save_assessment(
        self,
        person: Person,
        expected_version: int,
        entry: HistoryEntry | None,
        due: date | None,
        *,
        arrival_fixed: bool = False,
    ) -> None:
        """Stores a re-evaluated person (colour, reasons, since, version, history head, review
        day; with `arrival_fixed`, also its arrival, whose origin risk was just fixed) and, when
        the colour changed, its history entry, in one transaction; only over the version it was
        read at (Conflict otherwise)."""

    def save_arrival(
        self,
        person_id: str,
        arrival: Arrival,
        visits: tuple[str, ...],
        visits_until: date,
        *,
        version: int | None = None,
    ) -> None:
        """Stores the person's latest arrival (moving their version on, so a re-evaluation in
        flight re-reads) and the origin regions as declared visits, in one transaction. With
        `version`: only over that version (Conflict otherwise)."""

    def revoke_paper_codes(self, person_id: str, before: datetime) -> None:
        """Paper codes issued before `before` verify as revoked from now on."""

    def due(self, day: date) -> Iterator[Person]:
        """The persons whose review day is `day`, as the index has them: each read once, but a
        copy may lag behind the person (reassess writes over its version only)."""

    def due_partitions(self, day: date) -> list[str]:
        """The index partitions that hold the persons due on `day` (one task each)."""

    def due_page(
        self, partition: str, start: str | None, limit: int
    ) -> tuple[list[Person], str | None]:
        """A page of one due partition, from after `start`, and where the next starts."""

    def count(self) -> int:
        """All persons (may be a few hours stale on AWS: fine for proportions)."""

    def ids(
        self, segment: int, segments: int, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """One page of one segment of all person ids, and where the next page starts."""


class History(Protocol):
    """Colour changes are written with the person (Persons.create, Persons.save_assessment)."""

    def of(self, person_id: str) -> list[HistoryEntry]: ...


class Appeals(Protocol):
    def add(self, appeal: Appeal) -> None: ...

    def get(self, appeal_id: str) -> Appeal | None: ...

    def with_status(
        self, status: str, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[Appeal]:
        """Oldest first; `after` (created_at, appeal_id): the page after that appeal."""

    def resolve(
        self, appeal: Appeal, cleared: tuple[str, Record] | None = None, *, at: datetime
    ) -> None:
        """Stores the decision and, for a correction, its `cleared` record (id key, record) in
        one transaction; Conflict when it was resolved meanwhile."""


class Family(Protocol):
    """Who may act for whom (为家人代办): links, consent by share code, binding and unbinding."""

    def link(self, account_id: str, person_id: str) -> Link | None: ...

    def links_of(self, account_id: str) -> list[Link]: ...

    def links_to(self, person_id: str) -> list[Link]:
        """Everyone who may act for the person (the holder and the guardians)."""

    def put_share(
        self, share_key: str, person_id: str, issued_by: str, expires_at: datetime
    ) -> None: ...

    def bind(
        self, link: Link, *, share_key: str, now: datetime, max_dependents: int, max_guardians: int
    ) -> None:
        """Binds a guardian to a person who holds a code, consuming the one-time share code
        `share_key` (a marker for that person, not expired, whose issuer still acts for the
        person), in one transaction. Raises InvalidShareCode, AlreadyBound, TooManyDependents
        or TooManyGuardians."""

    def unbind(self, account_id: str, person_id: str) -> None:
        """Removes a guardian's link at once. Raises NotFound when there is none (or it is the
        person's own) and LastGuardian when nobody else could act for the person."""


class Epidemic(Protocol):
    """The authority's database: region risks, records per ID, and who declared which region."""

    def region_risks(self, codes: Iterable[str]) -> dict[str, Risk]: ...

    def put_region(self, code: str, risk: Risk, *, by: str, at: datetime) -> None: ...

    def risky_regions(self) -> list[tuple[str, Risk, datetime]]:
        """Every region whose risk is not low, with when it was set, by code (a read of the
        whole regions table: at most the few thousand GB/T 2260 codes)."""

    def records_for(self, id_key: str) -> list[Record]: ...

    def put_record(self, id_key: str, record: Record, *, by: str, at: datetime) -> bool:
        """False when a record with that id is already kept (idempotent)."""

    def persons_visiting(self, region_code: str, today: date) -> list[str]:
        """Persons whose declared visit to the region still counts today."""

    def visitors(
        self, region_code: str, today: date, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """A page of `persons_visiting`, from after `start`, and where the next page starts
        (None after the last)."""

    def delete_visits_until_day(self, day: date) -> int:
        """Deletes the declared region visits that stopped counting on that day (and were not
        moved on by a later declaration); returns how many."""

    def delete_visits_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        """One page of delete_visits_until_day's visits (see Page)."""


class Checkins(Protocol):
    def put(self, person_id: str, checkin: Checkin, at: datetime) -> bool:
        """Stores the day's check-in, replacing an earlier one of the same day; True when it is
        the day's first."""

    def between(self, person_id: str, first: date, last: date) -> list[Checkin]:
        """The check-ins from `first` to `last` (inclusive), oldest first, read consistently."""

    def delete_of_day(self, day: date) -> int:
        """Deletes every check-in of that day; returns how many."""

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        """One page of a day's check-ins (see Page)."""


class Keys(Protocol):
    def of_purpose(self, purpose: str) -> list[SigningKey]:
        """Oldest first."""

    def add(self, key: SigningKey) -> None:
        """Raises Conflict when the kid is taken."""

    def retire(self, purpose: str, kid: str, retire_at: datetime) -> None: ...

    def revoke(self, purpose: str, kid: str, at: datetime) -> bool:
        """Marks the key revoked (and retired) at `at`; False when there is no such key."""


class Scans(Protocol):
    def add(self, scan: Scan) -> None: ...

    def delete_of_day(self, day: date) -> int:
        """Deletes every scan of that Asia/Shanghai day; returns how many."""

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        """One page of a day's scans (see Page)."""


class Reports(Protocol):
    """Yellow and red scans and place visits, by region, for the authority."""

    def add(self, report: Report) -> None: ...

    def of_region(
        self,
        region_code: str,
        since: datetime,
        limit: int,
        before: tuple[datetime, str] | None = None,
    ) -> list[Report]:
        """The region's reports at or after `since`, newest first, at most `limit`; `before`
        (at, report_id): the page after that report."""

    def delete_of_day(self, day: date) -> int:
        """Deletes every report of that Asia/Shanghai day; returns how many."""

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        """One page of a day's reports (see Page)."""


class Places(Protocol):
    """Registered places (场所码) and the place codes people scanned (docs/decisions/0009)."""

    def add(self, place: Place) -> None:
        """Stores a new place, only while the key that signed its token is not retired:
        Conflict otherwise (the caller re-reads the keys and signs again)."""

    def get(self, place_id: str) -> Place | None:
        """Read consistently: a closed place's code stops working at once."""

    def close(self, place_id: str, at: datetime) -> Place | None:
        """Closes the place (a second close keeps the first time); None when there is none."""

    def key_in_use(self, kid: str) -> bool:
        """Whether an open place holds a token signed by that place key."""

    def page(self, after: str | None, limit: int) -> tuple[list[Place], str | None]:
        """Up to `limit` places (open and closed) by place id, from after `after`, and the id to
        start the next page after (None after the last)."""

    def add_visit(self, visit: PlaceVisit, report: Report | None) -> None:
        """The visit and, for a yellow or red one, its report: both or neither."""

    def visits_of(self, person_id: str, since: datetime) -> list[PlaceVisit]:
        """The person's place visits at or after `since`, newest first, read consistently."""

    def delete_visits_of(self, person_id: str) -> int:
        """Deletes every place visit of one person (注销); returns how many."""

    def delete_visits_of_day(self, day: date) -> int:
        """Deletes every place visit of that Asia/Shanghai day; returns how many."""

    def delete_visits_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        """One page of a day's place visits (see Page)."""


class Trust(Protocol):
    """Partner provinces' issuers (省际互认) and the partner tokens already used for arrivals."""

    def put(self, issuer: Issuer) -> bool:
        """Trusts the issuer, replacing what was kept under its id; True when it is new."""

    def get(self, issuer: str) -> Issuer | None:
        """Read consistently: a removed issuer is untrusted at once."""

    def all(self) -> list[Issuer]:
        """Every trusted issuer (including those past not_after), by id, read consistently."""

    def delete(self, issuer: str) -> bool:
        """False when there was none."""

    def claim_origin_token(self, key: str, until: datetime, at: datetime) -> bool:
        """Marks a partner token (`<iss> <jti>`) used, kept at least `until` (its expiry);
        False when it was already claimed. Of concurrent claims exactly one wins."""

    def release_origin_token(self, key: str) -> None:
        """Undoes a claim whose arrival could not be stored."""


class Jobs(Protocol):
    """Small named states of the scheduled jobs (cursors, guard reports) and their watermarks."""

    def get_state(self, name: str) -> str | None: ...

    def put_state(self, name: str, value: str) -> None: ...

    def take_state(self, name: str) -> str | None:
        """Reads and deletes a state at once: only one caller gets it."""

    def swap_state(self, name: str, expected: str | None, value: str) -> bool:
        """Writes `value` only if the state is still `expected` (None: absent); False when
        another caller changed it first."""

    def get_watermark(self, name: str) -> str | None: ...

    def set_watermark(self, name: str, value: str) -> None:
        """Only forwards: a slower run finishing late never moves the mark back."""


ABANDON_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class JobProgress:
    """A batch job's progress (GET /v1/admin/jobs/{job_id}): `kind` is region, recompare or
    import; `listed` once every enumeration of its work (pages, scan segments) is finished."""

    job_id: str
    kind: str
    started_at: datetime
    total: int
    done: int
    recoloured: int
    failed: int
    listed: bool

    @property
    def finished(self) -> bool:
        return self.listed and self.done >= self.total

    def abandoned(self, now: datetime) -> bool:
        """Unfinished after ABANDON_AFTER: a message in the dead-letter queue (alarmed) keeps
        it from ever finishing, so the job that waits for it starts again instead."""
        return not self.finished and now - self.started_at > ABANDON_AFTER


class Progress(Protocol):
    """Batch jobs' counters. Every piece of work is counted once, however often its message is
    delivered: `count` adds to the job only with a new piece id."""

    def start(self, job_id: str, kind: str, at: datetime, lists: int) -> None: ...

    def get(self, job_id: str) -> JobProgress | None: ...

    def count(self, job_id: str, piece: str, **amounts: int) -> bool:
        """Adds `amounts` (total, done, recoloured, failed, lists_done) once per `piece`; False
        when that piece was counted before."""


@dataclass(frozen=True)
class Message:
    """A task message as a worker receives it."""

    message_id: str
    body: str
    receipt: str
    receives: int


class Queue(Protocol):
    """Batch tasks for the workers (SQS). In AWS the Lambda event source receives and deletes;
    local workers use `receive`, `delete` and `retry` themselves."""

    def send(self, bodies: list[str]) -> None: ...

    def receive(self, wait_seconds: int = 1) -> list[Message]: ...

    def delete(self, messages: list[Message]) -> None: ...

    def retry(self, messages: list[Message], after_seconds: int) -> None:
        """Makes the messages visible again after `after_seconds` (a failed delivery)."""


class Counters(Protocol):
    def hit(self, key: str, limit: int | None, expires_at: datetime, amount: int = 1) -> bool:
        """Adds `amount` uses of a limited thing (e.g. lookups per checker and hour) at once;
        False, and nothing counted, when that would pass `limit` (None: no limit; a negative
        amount corrects an earlier reservation)."""

    def value(self, key: str) -> int:
        """A counter's value (0 when there is none)."""


class Claims(Protocol):
    """Claims against ID squatting (issue 12 item 12)."""

    def add(self, claim: Claim) -> None: ...

    def get(self, claim_id: str) -> Claim | None: ...

    def with_status(self, status: str, limit: int) -> list[Claim]:
        """Oldest first."""

    def transfer(
        self,
        claim: Claim,
        person: Person,
        links: list[Link],
        entry: HistoryEntry,
        at: datetime,
    ) -> None:
        """In one transaction: the claim resolved (still open before), every link to the person
        (and a squatter's own `self` marker) removed, the claimant's `self` link and marker
        added (Conflict when they hold a code already), the person held by them with earlier
        paper codes revoked, and `entry` appended to the history (over the person's version)."""

    def reject(self, claim: Claim) -> None:
        """Stores the decision; Conflict when the claim was resolved meanwhile."""


class Idempotency(Protocol):
    """The answers kept per account and Idempotency-Key (a `slot`), for 24 hours."""

    def reserve(self, slot: str, fingerprint: str, now: datetime, expires_at: datetime) -> bool:
        """Takes the slot for a request that is about to run; False when it is taken and not
        expired."""

    def get(self, slot: str, now: datetime) -> KeptAnswer | None:
        """The slot's request and answer, None when there is none or it expired."""

    def complete(self, slot: str, status: int, content_type: str, body: str) -> None:
        """Keeps the answer (the body encrypted at rest)."""

    def release(self, slot: str) -> None:
        """Frees the slot: the request failed, a retry runs again."""


class Erasure(Protocol):
    def record(self, person_id: str, at: datetime) -> None:
        """Adds the ledger entry of a deletion (the person's random id and when, nothing else)."""

    def erased_between(self, first: date, last: date) -> list[tuple[str, datetime]]:
        """The ledger's (person_id, at) from day `first` to day `last` (Asia/Shanghai,
        inclusive), oldest first."""

    def erase(
        self, person: Person, links: list[Link], markers: Markers, anonymous: list[HistoryEntry]
    ) -> dict[str, int]:
        """Deletes a person's check-ins, scans, place visits, appeals and declared visits,
        replaces their history by `anonymous` (entries under a new, unrelated id), then deletes
        the person, the `markers` and the `links` in one transaction (the ID may apply again at
        once), each guardian's count of dependents going down by one. Safe to repeat after an
        interruption. Returns how many items of each kind went."""


@dataclass(frozen=True)
class Store:
    """Every port, as the services reach them (`ctx.store.persons.get(...)`)."""

    logins: Logins
    accounts: Accounts
    persons: Persons
    history: History
    appeals: Appeals
    family: Family
    epidemic: Epidemic
    checkins: Checkins
    keys: Keys
    scans: Scans
    reports: Reports
    places: Places
    trust: Trust
    jobs: Jobs
    counters: Counters
    erasure: Erasure
    idempotency: Idempotency
    claims: Claims
    progress: Progress
