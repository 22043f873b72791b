"""The store on DynamoDB: maps the domain's values to the tables in storage.tables, encrypting
personal fields on the way in and decrypting them on the way out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import TypeVar, cast

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
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
from chalicelib.domain.errors import (
    AlreadyApplied,
    AlreadyBound,
    Conflict,
    InvalidShareCode,
    LastGuardian,
    NotFound,
    TooManyDependents,
    TooManyGuardians,
)
from chalicelib.domain.history import ActorKind, HistoryEntry
from chalicelib.domain.model import (
    Arrival,
    Category,
    Checkin,
    Color,
    Declaration,
    IdType,
    Reason,
    Record,
    Risk,
    Role,
    Symptom,
    TestResult,
)
from chalicelib.domain.otp import OtpState
from chalicelib.domain.places import Place, PlaceType, PlaceVisit, Report, ReportKind
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t

M = TypeVar("M", bound=Model)
_CONDITION_FAILED = "ConditionalCheckFailedException"
SCAN_SHARDS = 8
DUE_SHARDS = 8
DAY_SHARDS = 8  # check-ins and login states by day


def _get(
    model: type[M], hash_key: str, range_key: str | None = None, consistent_read: bool = False
) -> M | None:
    try:
        return model.get(hash_key, range_key, consistent_read=consistent_read)
    except DoesNotExist:
        return None


def _failed_condition(error: PutError | UpdateError) -> bool:
    return error.cause_response_code == _CONDITION_FAILED


class DynamoStore:
    def __init__(self) -> None:
        t.configure()
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        if self._conn is None:
            connect, read, attempts = config.ddb_timeouts()
            self._conn = Connection(
                region=config.aws_region(),
                connect_timeout_seconds=connect,
                read_timeout_seconds=read,
                max_retry_attempts=attempts,
            )
        return self._conn

    # Login ---------------------------------------------------------------------------------

    def get_otp(self, phone_key: str) -> tuple[OtpState | None, int]:
        item = _get(t.OtpItem, phone_key, consistent_read=True)
        if item is None:
            return None, 0
        state = OtpState(
            code_hash=item.code_hash,
            expires_at=int(item.expires_at),
            attempts=int(item.attempts),
            sent_at=tuple(int(cast(float, x)) for x in item.sent_at),
        )
        return state, int(item.version)

    def save_otp(self, phone_key: str, state: OtpState, expected_version: int) -> None:
        newest = max((state.expires_at, *state.sent_at))
        item = t.OtpItem(
            phone_key,
            code_hash=state.code_hash,
            expires_at=state.expires_at,
            attempts=state.attempts,
            sent_at=list(state.sent_at),
            version=expected_version + 1,
            ttl=newest + 3600,
            day_shard=_day_shard(_otp_day(newest), phone_key),
        )
        condition = (
            t.OtpItem.phone_key.does_not_exist()
            if expected_version == 0
            else t.OtpItem.version == expected_version
        )
        try:
            item.save(condition=condition)
        except PutError as error:
            if _failed_condition(error):
                raise Conflict() from error
            raise

    def account_for_phone(self, phone_key: str) -> Account | None:
        marker = _get(t.MarkerItem, f"phone:{phone_key}", consistent_read=True)
        return self.get_account(marker.target) if marker else None

    def create_account(self, account: Account, phone_key: str) -> None:
        marker = t.MarkerItem(
            f"phone:{phone_key}", target=account.account_id, created_at=account.created_at
        )
        try:
            with TransactWrite(connection=self._connection()) as tx:
                tx.save(marker, condition=t.MarkerItem.key.does_not_exist())
                tx.save(_account_item(account), condition=t.AccountItem.account_id.does_not_exist())
        except TransactWriteError as error:
            raise Conflict() from error

    def get_account(self, account_id: str) -> Account | None:
        item = _get(t.AccountItem, account_id, consistent_read=True)
        return _account(item) if item else None

    def grant_role(
        self, account_id: str, role: Role, *, name: str | None, place_id: str | None
    ) -> Account:
        item = t.AccountItem(account_id)
        actions: list[Action] = [t.AccountItem.roles.add({role.value})]
        if name is not None:
            actions.append(t.AccountItem.name_enc.set(encrypt(name, f"accounts:name:{account_id}")))
        if place_id is not None:
            actions.append(t.AccountItem.place_id.set(place_id))
        item.update(actions=actions, condition=t.AccountItem.account_id.exists())
        return _account(item)

    def accounts_with_role(self, role: Role, limit: int) -> list[Account]:
        # Management use only (create-admin --if-none); never on a request path.
        found = t.AccountItem.scan(t.AccountItem.roles.contains(role.value))
        accounts = []
        for item in found:
            accounts.append(_account(item))
            if len(accounts) >= limit:
                break
        return accounts

    # Persons -------------------------------------------------------------------------------

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
        guardian = link.relation != "self" and dependent_limit is not None
        visit_items = [
            _visit_item(region, person.person_id, visits_until)
            for region in visits
            if visits_until is not None
        ]
        link_item = _link_item(link)
        for attempt in range(4):
            try:
                with TransactWrite(connection=self._connection()) as tx:
                    for key in markers:
                        marker = t.MarkerItem(
                            key, target=person.person_id, created_at=person.created_at
                        )
                        tx.save(marker, condition=t.MarkerItem.key.does_not_exist())
                    if guardian:
                        assert dependent_limit is not None
                        _count_dependent(tx, link.account_id, dependent_limit)
                    tx.save(
                        _person_item(person, id_key, _due_key(person.person_id, due)),
                        condition=t.PersonItem.person_id.does_not_exist(),
                    )
                    tx.save(link_item)
                    tx.save(_history_item(entry), condition=t.HistoryItem.seq.does_not_exist())
                    for visit in visit_items:
                        tx.save(visit)
                return
            except TransactWriteError as error:
                codes = [
                    r.code if r is not None else None for r in error.cancellation_reasons or []
                ]
                if "ConditionalCheckFailed" in codes[: len(markers)]:
                    raise AlreadyApplied() from error
                # pynamodb sends puts before updates: the account's count is the first update.
                counted = len(markers) + 3 + len(visit_items)
                if guardian and codes[counted : counted + 1] == ["ConditionalCheckFailed"]:
                    raise TooManyDependents() from error
                if "TransactionConflict" not in codes or attempt == 3:
                    raise
                time.sleep(0.02 * (attempt + 1))  # another transaction held an item: try again

    def persons_for_id_keys(self, id_keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted({f"id:{key}" for key in id_keys})
        found = t.MarkerItem.batch_get(wanted, consistent_read=True) if wanted else []
        return {item.key.removeprefix("id:"): item.target for item in found}

    def persons_visiting(self, region_code: str, today: date) -> list[str]:
        found = t.VisitItem.query(
            region_code, filter_condition=t.VisitItem.until >= today.isoformat()
        )
        return [item.person_id for item in found]

    def count_persons(self) -> int:
        # DescribeTable's ItemCount: refreshed about every six hours on AWS, exact locally.
        return int(t.PersonItem.describe_table().get("ItemCount", 0))

    def person_ids(
        self, segment: int, segments: int, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        page = t.PersonItem.scan(
            segment=segment,
            total_segments=segments,
            limit=limit,
            last_evaluated_key={"person_id": {"S": start}} if start else None,
            attributes_to_get=["person_id"],
        )
        ids = [item.person_id for item in page]
        last = page.last_evaluated_key
        return ids, (last["person_id"]["S"] if last else None)

    def get_state(self, name: str) -> str | None:
        item = _get(t.MarkerItem, f"state:{name}", consistent_read=True)
        return item.target if item else None

    def put_state(self, name: str, value: str) -> None:
        t.MarkerItem(f"state:{name}", target=value, created_at=datetime.now(UTC)).save()

    def take_state(self, name: str) -> str | None:
        item = _get(t.MarkerItem, f"state:{name}", consistent_read=True)
        if item is None:
            return None
        try:
            item.delete(condition=t.MarkerItem.target == item.target)
        except DeleteError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                return None  # someone else took it
            raise
        return item.target

    def add_appeal(self, appeal: Appeal) -> None:
        _appeal_item(appeal).save(condition=t.AppealItem.appeal_id.does_not_exist())

    def get_appeal(self, appeal_id: str) -> Appeal | None:
        item = _get(t.AppealItem, appeal_id, consistent_read=True)
        return _appeal(item) if item else None

    def appeals(self, status: str, limit: int) -> list[Appeal]:
        found = t.AppealItem.by_status.query(status, limit=limit)
        return [_appeal(item) for item in found]

    def resolve_appeal(
        self, appeal: Appeal, cleared: tuple[str, Record] | None = None, *, at: datetime
    ) -> None:
        try:
            with TransactWrite(connection=self._connection()) as tx:
                tx.save(_appeal_item(appeal), condition=t.AppealItem.status == "open")
                if cleared is not None:
                    item = _record_item(cleared[0], cleared[1], by=appeal.resolved_by or "", at=at)
                    tx.save(item, condition=t.RecordItem.record_id.does_not_exist())
        except TransactWriteError as error:
            codes = {r.code for r in error.cancellation_reasons or [] if r is not None}
            if codes & {"ConditionalCheckFailed", "TransactionConflict"}:
                raise Conflict() from error  # resolved meanwhile (or its record id is taken)
            raise

    def save_assessment(
        self, person: Person, expected_version: int, entry: HistoryEntry | None, due: date | None
    ) -> None:
        due_key = _due_key(person.person_id, due)
        P = t.PersonItem
        actions: list[Action] = [
            P.color.set(person.color.value),
            P.reasons.set(_reasons_json(person.reasons)),
            P.since.set(person.since),
            P.profile.set(person.profile),
            P.rules_version.set(person.rules_version),
            P.version.set(person.version),
            P.history_seq.set(person.history_seq),
            P.due_key.set(due_key) if due_key else P.due_key.remove(),
        ]
        if person.history_hash is not None:
            actions.append(P.history_hash.set(person.history_hash))
        try:
            with TransactWrite(connection=self._connection()) as tx:
                tx.update(P(person.person_id), actions, condition=P.version == expected_version)
                if entry is not None:
                    tx.save(_history_item(entry), condition=t.HistoryItem.seq.does_not_exist())
        except TransactWriteError as error:
            codes = {r.code for r in error.cancellation_reasons or [] if r is not None}
            if codes & {"ConditionalCheckFailed", "TransactionConflict"}:
                raise Conflict() from error  # someone else's write came first: re-read
            raise

    def history_of(self, person_id: str) -> list[HistoryEntry]:
        items = t.HistoryItem.query(person_id, consistent_read=True)
        return [_history_entry(item) for item in items]

    def persons_due(self, day: date) -> list[str]:
        found: list[str] = []
        for shard in range(DUE_SHARDS):
            keys = t.PersonItem.by_due.query(f"{day.isoformat()}#{shard}")
            found.extend(item.person_id for item in keys)
        return sorted(found)

    def due_persons(self, day: date) -> Iterator[Person]:
        # The index projects whole items: one read per due person, page by page.
        for shard in range(DUE_SHARDS):
            for item in t.PersonItem.by_due.query(f"{day.isoformat()}#{shard}"):
                yield _person(item)

    def get_person(self, person_id: str, *, consistent: bool = False) -> Person | None:
        item = _get(t.PersonItem, person_id, consistent_read=consistent)
        return _person(item) if item else None

    # The verify path talks to the client directly: pynamodb asks for the consumed capacity on
    # every call, which nobody reads here and which costs DynamoDB Local ~0.4 ms a request.

    def get_status(self, person_id: str) -> Status | None:
        found = self._connection().client.get_item(
            TableName=t.PersonItem.Meta.table_name,
            Key={"person_id": {"S": person_id}},
            ConsistentRead=True,
            ProjectionExpression="color, name_enc, paper_not_before",
        )
        item = found.get("Item")
        if item is None:
            return None
        name = decrypt(item["name_enc"]["S"], f"persons:name:{person_id}")
        revoked = item.get("paper_not_before", {}).get("S")
        paper_not_before = t.PersonItem.paper_not_before.deserialize(revoked) if revoked else None
        return Status(person_id, Color(item["color"]["S"]), name, paper_not_before)

    def get_link(self, account_id: str, person_id: str) -> Link | None:
        item = _get(t.LinkItem, account_id, person_id, consistent_read=True)
        return _link(item) if item else None

    def links_of(self, account_id: str) -> list[Link]:
        return [_link(item) for item in t.LinkItem.query(account_id, consistent_read=True)]

    # Epidemic database ---------------------------------------------------------------------

    def region_risks(self, codes: Iterable[str]) -> dict[str, Risk]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        # Consistent: a region's change re-evaluates its visitors at once and must be seen.
        found = t.RegionItem.batch_get(wanted, consistent_read=True)
        return {item.region_code: Risk(item.risk) for item in found}

    def put_region(self, code: str, risk: Risk, *, by: str, at: datetime) -> None:
        t.RegionItem(code, risk=risk.value, updated_by=by, updated_at=at).save()

    def records_for(self, id_key: str) -> list[Record]:
        return [_record(item) for item in t.RecordItem.query(id_key, consistent_read=True)]

    def put_record(self, id_key: str, record: Record, *, by: str, at: datetime) -> bool:
        item = _record_item(id_key, record, by=by, at=at)
        try:
            item.save(condition=t.RecordItem.record_id.does_not_exist())
        except PutError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    # Keys and scans ------------------------------------------------------------------------

    def signing_keys(self, purpose: str) -> list[SigningKey]:
        keys = [_signing_key(item) for item in t.KeyItem.query(purpose, consistent_read=True)]
        return sorted(keys, key=lambda k: k.created_at)

    def add_signing_key(self, key: SigningKey) -> None:
        item = t.KeyItem(
            key.purpose,
            key.kid,
            private_enc=encrypt(key.private_pem.decode(), f"keys:{key.purpose}:{key.kid}"),
            public_jwk=json.dumps(key.public_jwk, sort_keys=True),
            created_at=key.created_at,
            retire_at=key.retire_at,
        )
        try:
            item.save(condition=t.KeyItem.kid.does_not_exist())
        except PutError as error:
            if _failed_condition(error):
                raise Conflict() from error
            raise

    def retire_signing_key(self, purpose: str, kid: str, retire_at: datetime) -> None:
        t.KeyItem(purpose, kid).update(
            actions=[t.KeyItem.retire_at.set(retire_at)], condition=t.KeyItem.kid.exists()
        )

    def add_scan(self, scan: Scan) -> None:
        shard = int(scan.scan_id[-2:], 16) % SCAN_SHARDS
        item = t.ScanItem(
            f"{shanghai_date(scan.at).isoformat()}#{shard}",
            f"{scan.at.isoformat()}#{scan.scan_id}",
            checker_id=scan.checker_id,
            place_id=scan.place_id,
            valid=scan.valid,
            passed=scan.passed,
            color=scan.color.value if scan.color else None,
            reason=scan.reason,
            person_id=scan.person_id,
            via=scan.via if scan.via != "token" else None,
        )
        self._connection().client.put_item(
            TableName=t.ScanItem.Meta.table_name,
            Item=item.serialize(),
        )

    def delete_scans_of_day(self, day: date) -> int:
        S, keys = t.ScanItem, ["day_shard", "at_id"]
        shards = (f"{day.isoformat()}#{shard}" for shard in range(SCAN_SHARDS))
        return sum(_delete_all(S, S.query(key, attributes_to_get=keys)) for key in shards)

    def delete_otps_of_day(self, day: date) -> int:
        # Only if no login touched it since (which moves it to another day).
        return _delete_still_on_day(
            t.OtpItem.by_day, t.OtpItem.day_shard, day, lambda k: t.OtpItem(k.phone_key)
        )

    # Check-ins -----------------------------------------------------------------------------

    def put_checkin(self, person_id: str, checkin: Checkin, at: datetime) -> bool:
        day = checkin.day.isoformat()
        health = {"temperature": checkin.temperature, "symptoms": list(checkin.symptoms)}
        item = t.CheckinItem(
            person_id,
            day,
            health_enc=encrypt(json.dumps(health), f"checkins:health:{person_id}:{day}"),
            at=at,
            day_shard=_day_shard(checkin.day, person_id),
        )
        # One write that replaces the day's earlier check-in and says whether there was one.
        answer = self._connection().client.put_item(
            TableName=t.CheckinItem.Meta.table_name,
            Item=item.serialize(),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" not in answer

    def checkins_of(self, person_id: str, first: date, last: date) -> list[Checkin]:
        found = t.CheckinItem.query(
            person_id,
            t.CheckinItem.day.between(first.isoformat(), last.isoformat()),
            consistent_read=True,
        )
        return [_checkin(item) for item in found]

    def delete_checkins_of_day(self, day: date) -> int:
        keys = _keys_of_day(t.CheckinItem.by_day, day)
        return _delete_all(t.CheckinItem, (t.CheckinItem(k.person_id, k.day) for k in keys))

    def delete_visits_until_day(self, day: date) -> int:
        # Only if no later declaration moved its end on since.
        return _delete_still_on_day(
            t.VisitItem.by_until,
            t.VisitItem.until_shard,
            day,
            lambda k: t.VisitItem(k.region_code, k.person_id),
        )

    # Scheduled jobs ------------------------------------------------------------------------

    def get_watermark(self, name: str) -> str | None:
        item = _get(t.MarkerItem, f"watermark:{name}", consistent_read=True)
        return item.target if item else None

    def set_watermark(self, name: str, value: str) -> None:
        # Only forwards: a slower run finishing late never moves the mark back.
        item = t.MarkerItem(f"watermark:{name}", target=value, created_at=datetime.now(UTC))
        try:
            item.save(condition=t.MarkerItem.key.does_not_exist() | (t.MarkerItem.target < value))
        except PutError as error:
            if not _failed_condition(error):
                raise

    # Family (为家人代办), paper codes, lookups, deletion (注销) ----------------------------------

    def bind(
        self,
        link: Link,
        *,
        share_key: str,
        now: datetime,
        max_dependents: int,
        max_guardians: int,
    ) -> None:
        M, P, L = t.MarkerItem, t.PersonItem, t.LinkItem
        share = _get(M, share_key, consistent_read=True)
        if share is None or share.issued_by is None or share.target != link.person_id:
            raise InvalidShareCode()
        if share.issued_by == link.account_id:
            raise AlreadyBound()  # one's own share code: the issuer acts for the person already
        guardians_below = P.guardians.does_not_exist() | (P.guardians < max_guardians)
        try:
            with TransactWrite(connection=self._connection()) as tx:
                # Consent holds only while whoever gave it still acts for the person.
                tx.condition_check(
                    L, share.issued_by, link.person_id, condition=L.person_id.exists()
                )
                tx.delete(
                    M(share_key),
                    condition=(M.target == link.person_id)
                    & (M.issued_by == share.issued_by)
                    & (M.expires_at > int(now.timestamp())),
                )
                tx.save(_link_item(link), condition=t.LinkItem.person_id.does_not_exist())
                _count_dependent(tx, link.account_id, max_dependents)
                tx.update(
                    P(link.person_id),
                    [P.guardians.add(1)],
                    condition=P.person_id.exists() & guardians_below,
                )
        except TransactWriteError as error:
            codes = [r.code if r is not None else None for r in error.cancellation_reasons or []]
            failed = [i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"]
            # In pynamodb's order: condition checks, deletes, puts, updates (as written above).
            problems = (
                InvalidShareCode,
                InvalidShareCode,
                AlreadyBound,
                TooManyDependents,
                TooManyGuardians,
            )
            if failed:
                raise problems[failed[0]]() from error
            if "TransactionConflict" in codes:
                raise Conflict() from error
            raise

    def put_share(
        self, share_key: str, person_id: str, issued_by: str, expires_at: datetime
    ) -> None:
        expires = int(expires_at.timestamp())
        t.MarkerItem(
            share_key,
            target=person_id,
            issued_by=issued_by,
            created_at=datetime.now(UTC),
            expires_at=expires,
            ttl=expires + 3600,
        ).save(condition=t.MarkerItem.key.does_not_exist())

    def unbind(self, account_id: str, person_id: str) -> None:
        L, P, A = t.LinkItem, t.PersonItem, t.AccountItem
        try:
            with TransactWrite(connection=self._connection()) as tx:
                tx.delete(
                    L(account_id, person_id), condition=L.relation.exists() & (L.relation != "self")
                )
                tx.update(A(account_id), [A.dependents.add(-1)], condition=A.account_id.exists())
                tx.update(
                    P(person_id),
                    [P.guardians.add(-1)],
                    condition=(P.guardians > 1)
                    | (P.self_held == True)  # noqa: E712
                    | P.self_held.does_not_exist(),  # stored before family: their own code
                )
        except TransactWriteError as error:
            codes = [r.code if r is not None else None for r in error.cancellation_reasons or []]
            if codes and codes[0] == "ConditionalCheckFailed":
                raise NotFound() from error
            if "ConditionalCheckFailed" in codes:
                raise LastGuardian() from error
            if "TransactionConflict" in codes:
                raise Conflict() from error
            raise

    def links_to(self, person_id: str) -> list[Link]:
        keys = [(item.account_id, item.person_id) for item in t.LinkItem.by_person.query(person_id)]
        found = t.LinkItem.batch_get(keys, consistent_read=True) if keys else []
        return sorted((_link(item) for item in found), key=lambda link: link.account_id)

    def revoke_paper_codes(self, person_id: str, before: datetime) -> None:
        P = t.PersonItem
        try:
            P(person_id).update(
                actions=[P.paper_not_before.set(before)], condition=P.person_id.exists()
            )
        except UpdateError as error:
            if _failed_condition(error):
                raise NotFound() from error
            raise

    def count_hit(self, key: str, limit: int | None, expires_at: datetime, amount: int = 1) -> bool:
        M = t.MarkerItem
        expires = int(expires_at.timestamp())
        if limit is not None and amount > limit:
            return False
        try:
            M(key).update(
                actions=[
                    M.hits.add(amount),
                    M.target.set("counter"),
                    M.created_at.set(M.created_at | datetime.now(UTC)),
                    M.expires_at.set(expires),
                    M.ttl.set(expires + 3600),
                ],
                condition=None
                if limit is None
                else M.hits.does_not_exist() | (M.hits <= limit - amount),
            )
        except UpdateError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def count_of(self, key: str) -> int:
        item = _get(t.MarkerItem, key, consistent_read=True)
        return int(item.hits or 0) if item else 0

    def erase_person(
        self,
        person: Person,
        links: list[Link],
        markers: tuple[str, ...],
        anonymous: list[HistoryEntry],
    ) -> dict[str, int]:
        pid = person.person_id
        C, S, A, V, H = t.CheckinItem, t.ScanItem, t.AppealItem, t.VisitItem, t.HistoryItem
        gone = {
            "checkins": _delete_all(C, C.query(pid, attributes_to_get=["person_id", "day"])),
            "scans": _delete_all(S, (S(k.day_shard, k.at_id) for k in S.by_person.query(pid))),
            "appeals": _delete_all(A, (A(k.appeal_id) for k in A.by_person.query(pid))),
            "place_visits": self.delete_place_visits_of(pid),
            "declared_visits": _delete_all(
                V, (V(k.region_code, pid) for k in V.by_person.query(pid))
            ),
        }
        # The anonymous copy first, then the original: an interruption leaves a copy at most.
        with H.batch_write() as batch:
            for entry in anonymous:
                batch.save(_history_item(entry))
        gone["history"] = _delete_all(H, H.query(pid, attributes_to_get=["person_id", "seq"]))
        for attempt in range(3):
            try:
                self._delete_person(pid, links, markers)
                break
            except TransactWriteError as error:
                # A link went (an unbinding at the same moment): read them again, so that no
                # guardian's count goes down twice.
                reasons = {r.code for r in error.cancellation_reasons or [] if r is not None}
                if not reasons & {"ConditionalCheckFailed", "TransactionConflict"} or attempt == 2:
                    raise
                links = self.links_to(pid)
        gone["links"] = len(links)
        return gone

    def _delete_person(self, pid: str, links: list[Link], markers: tuple[str, ...]) -> None:
        L, A, M = t.LinkItem, t.AccountItem, t.MarkerItem
        # Only markers that still name this person: the ID may have applied again already.
        mine = [m.key for m in M.batch_get(list(markers), consistent_read=True) if m.target == pid]
        with TransactWrite(connection=self._connection()) as tx:
            tx.delete(t.PersonItem(pid))
            for key in mine:
                tx.delete(M(key), condition=M.key.does_not_exist() | (M.target == pid))
            for link in links:
                tx.delete(L(link.account_id, pid), condition=L.person_id.exists())
                if link.relation != "self":
                    tx.update(A(link.account_id), [A.dependents.add(-1)])

    # Places, visits, reports (docs/decisions/0009) -------------------------------------------

    def add_place(self, place: Place) -> None:
        try:
            with TransactWrite(connection=self._connection()) as tx:
                tx.save(_place_item(place), condition=t.PlaceItem.place_id.does_not_exist())
                tx.condition_check(
                    t.KeyItem,
                    "place",
                    place.kid,
                    condition=t.KeyItem.kid.exists() & t.KeyItem.retire_at.does_not_exist(),
                )
        except TransactWriteError as error:
            raise Conflict() from error

    def get_place(self, place_id: str) -> Place | None:
        item = _get(t.PlaceItem, place_id, consistent_read=True)
        return _place(item) if item else None

    def close_place(self, place_id: str, at: datetime) -> Place | None:
        item = t.PlaceItem(place_id)
        try:
            item.update(
                actions=[t.PlaceItem.closed_at.set(at), t.PlaceItem.open_kid.remove()],
                condition=t.PlaceItem.place_id.exists() & t.PlaceItem.closed_at.does_not_exist(),
            )
        except UpdateError as error:
            if not _failed_condition(error):
                raise
            return self.get_place(place_id)  # unknown (None) or closed before
        return _place(item)

    def place_key_in_use(self, kid: str) -> bool:
        return any(True for _ in t.PlaceItem.by_kid.query(kid, limit=1))

    def add_place_visit(self, visit: PlaceVisit, report: Report | None) -> None:
        item = t.PlaceVisitItem(
            visit.person_id,
            _at_id(visit.at, visit.visit_id),
            place_id=visit.place_id,
            place_name=visit.place_name,
            place_type=visit.place_type.value,
            color=visit.color.value,
            day_shard=_day_shard(shanghai_date(visit.at), visit.visit_id),
        )
        if report is None:
            item.save()
            return
        with TransactWrite(connection=self._connection()) as tx:
            tx.save(item)
            tx.save(_report_item(report))

    def place_visits_of(self, person_id: str, since: datetime) -> list[PlaceVisit]:
        found = t.PlaceVisitItem.query(
            person_id,
            t.PlaceVisitItem.at_id >= _at_id(since, ""),
            consistent_read=True,
            scan_index_forward=False,
        )
        return [_place_visit(item) for item in found]

    def delete_place_visits_of(self, person_id: str) -> int:
        keys = t.PlaceVisitItem.query(person_id, attributes_to_get=["person_id", "at_id"])
        return _delete_all(t.PlaceVisitItem, keys)

    def delete_place_visits_of_day(self, day: date) -> int:
        keys = _keys_of_day(t.PlaceVisitItem.by_day, day)
        return _delete_all(t.PlaceVisitItem, (t.PlaceVisitItem(k.person_id, k.at_id) for k in keys))

    def add_report(self, report: Report) -> None:
        _report_item(report).save()

    def reports_for(self, region_code: str, since: datetime, limit: int) -> list[Report]:
        found = t.ReportItem.query(
            region_code,
            t.ReportItem.at_id >= _at_id(since, ""),
            scan_index_forward=False,
            limit=limit,
        )
        return [_report(item) for item in found]

    def delete_reports_of_day(self, day: date) -> int:
        keys = _keys_of_day(t.ReportItem.by_day, day)
        return _delete_all(t.ReportItem, (t.ReportItem(k.region_code, k.at_id) for k in keys))

    # Trust list and arrivals ---------------------------------------------------------------

    def put_issuer(self, issuer: Issuer) -> bool:
        item = t.IssuerItem(
            issuer.issuer,
            province_code=issuer.province_code,
            name=issuer.name,
            jwks=json.dumps(issuer.jwks, sort_keys=True),
            not_after=issuer.not_after,
            added_by=issuer.added_by,
            added_at=issuer.added_at,
        )
        old = self._connection().client.put_item(
            TableName=t.IssuerItem.Meta.table_name,
            Item=item.serialize(),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" not in old

    def get_issuer(self, issuer: str) -> Issuer | None:
        item = _get(t.IssuerItem, issuer, consistent_read=True)
        return _issuer(item) if item else None

    def issuers(self) -> list[Issuer]:
        found = [_issuer(item) for item in t.IssuerItem.scan(consistent_read=True)]
        return sorted(found, key=lambda i: i.issuer)

    def delete_issuer(self, issuer: str) -> bool:
        try:
            t.IssuerItem(issuer).delete(condition=t.IssuerItem.issuer.exists())
        except DeleteError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                return False
            raise
        return True

    def claim_origin_token(self, key: str, until: datetime, at: datetime) -> bool:
        item = t.OriginTokenItem(key, expires_at=until, used_at=at, ttl=until)
        try:
            item.save(condition=t.OriginTokenItem.token_key.does_not_exist())
        except PutError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def release_origin_token(self, key: str) -> None:
        t.OriginTokenItem(key).delete()

    def save_arrival(
        self, person_id: str, arrival: Arrival, visits: tuple[str, ...], visits_until: date
    ) -> None:
        P = t.PersonItem
        sealed = encrypt(_arrival_json(arrival), f"persons:arrival:{person_id}")
        try:
            with TransactWrite(connection=self._connection()) as tx:
                tx.update(
                    P(person_id),
                    [P.arrival_enc.set(sealed), P.version.add(1)],
                    condition=P.person_id.exists(),
                )
                for region in visits:
                    tx.save(_visit_item(region, person_id, visits_until))
        except TransactWriteError as error:
            codes = {r.code for r in error.cancellation_reasons or [] if r is not None}
            if "ConditionalCheckFailed" in codes:
                raise NotFound() from error
            if "TransactionConflict" in codes:
                raise Conflict() from error
            raise


def _visit_item(region: str, person_id: str, until: date) -> t.VisitItem:
    return t.VisitItem(
        region,
        person_id,
        until=until.isoformat(),
        until_shard=_day_shard(until, person_id),
    )


def _record_item(id_key: str, record: Record, *, by: str, at: datetime) -> t.RecordItem:
    return t.RecordItem(
        id_key,
        record.record_id,
        category=record.category.value,
        since=record.since.isoformat(),
        until=record.until.isoformat() if record.until else None,
        imported_by=by,
        imported_at=at,
    )


def _count_dependent(tx: TransactWrite, account_id: str, limit: int) -> None:
    A = t.AccountItem
    below = A.dependents.does_not_exist() | (A.dependents < limit)
    tx.update(A(account_id), [A.dependents.add(1)], condition=A.account_id.exists() & below)


def _link_item(link: Link) -> t.LinkItem:
    return t.LinkItem(
        link.account_id, link.person_id, relation=link.relation, created_at=link.created_at
    )


# Mapping ---------------------------------------------------------------------------------------


def _account_item(account: Account) -> t.AccountItem:
    aid = account.account_id
    return t.AccountItem(
        aid,
        phone_enc=encrypt(account.phone, f"accounts:phone:{aid}"),
        name_enc=encrypt(account.name, f"accounts:name:{aid}") if account.name else None,
        roles={role.value for role in account.roles},
        place_id=account.place_id,
        created_at=account.created_at,
    )


def _account(item: t.AccountItem) -> Account:
    aid = item.account_id
    return Account(
        account_id=aid,
        phone=decrypt(item.phone_enc, f"accounts:phone:{aid}"),
        roles=frozenset(Role(role) for role in item.roles or ()),
        created_at=item.created_at,
        name=decrypt(item.name_enc, f"accounts:name:{aid}") if item.name_enc else None,
        place_id=item.place_id,
    )


def _appeal_item(appeal: Appeal) -> t.AppealItem:
    aid = appeal.appeal_id
    return t.AppealItem(
        aid,
        person_id=appeal.person_id,
        account_id=appeal.account_id,
        message_enc=encrypt(appeal.message, f"appeals:message:{aid}"),
        status=appeal.status,
        created_at=appeal.created_at,
        color=appeal.color.value,
        decision=appeal.decision,
        reason_enc=encrypt(appeal.reason, f"appeals:reason:{aid}") if appeal.reason else None,
        resolved_by=appeal.resolved_by,
        resolved_at=appeal.resolved_at,
    )


def _appeal(item: t.AppealItem) -> Appeal:
    aid = item.appeal_id
    return Appeal(
        appeal_id=aid,
        person_id=item.person_id,
        account_id=item.account_id,
        message=decrypt(item.message_enc, f"appeals:message:{aid}"),
        status=item.status,
        created_at=item.created_at,
        color=Color(item.color),
        decision=item.decision,
        reason=decrypt(item.reason_enc, f"appeals:reason:{aid}") if item.reason_enc else None,
        resolved_by=item.resolved_by,
        resolved_at=item.resolved_at,
    )


def _day_shard(day: date, hex_key: str) -> str:
    """`<day>#<shard>`: one day's items spread over DAY_SHARDS index partitions."""
    return f"{day.isoformat()}#{int(hex_key[-2:], 16) % DAY_SHARDS}"


def _otp_day(newest: int) -> date:
    return shanghai_date(datetime.fromtimestamp(newest, UTC))


def _checkin(item: t.CheckinItem) -> Checkin:
    health = json.loads(decrypt(item.health_enc, f"checkins:health:{item.person_id}:{item.day}"))
    return Checkin(
        day=date.fromisoformat(item.day),
        temperature=float(health["temperature"]),
        symptoms=tuple(Symptom(s) for s in health["symptoms"]),
    )


def _due_key(person_id: str, due: date | None) -> str | None:
    # Sharded so that one busy day is spread over several index partitions.
    return f"{due.isoformat()}#{int(person_id[-2:], 16) % DUE_SHARDS}" if due else None


def _reasons_json(reasons: tuple[Reason, ...]) -> str:
    return json.dumps([_reason_dict(r) for r in reasons], ensure_ascii=False)


def _history_item(entry: HistoryEntry) -> t.HistoryItem:
    return t.HistoryItem(
        entry.person_id,
        entry.seq,
        at=entry.at,
        from_color=entry.from_color.value if entry.from_color else None,
        to_color=entry.to_color.value,
        reasons=list(entry.reasons),
        rule=entry.rule,
        rules_version=entry.rules_version,
        profile=entry.profile,
        actor_kind=entry.actor_kind.value,
        actor=entry.actor,
        source=entry.source,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def _history_entry(item: t.HistoryItem) -> HistoryEntry:
    return HistoryEntry(
        person_id=item.person_id,
        seq=int(item.seq),
        at=item.at,
        from_color=Color(item.from_color) if item.from_color else None,
        to_color=Color(item.to_color),
        reasons=tuple(str(code) for code in item.reasons or ()),
        rule=item.rule,
        rules_version=item.rules_version,
        profile=item.profile,
        actor_kind=ActorKind(item.actor_kind),
        actor=item.actor,
        source=item.source,
        prev_hash=item.prev_hash,
        hash=item.hash,
    )


def _person_item(person: Person, id_key: str, due_key: str | None) -> t.PersonItem:
    pid = person.person_id

    def seal(field: str, value: str) -> str:
        return encrypt(value, f"persons:{field}:{pid}")

    return t.PersonItem(
        pid,
        name_enc=seal("name", person.name),
        id_type=person.id_type.value,
        id_number_enc=seal("id_number", person.id_number),
        id_key=id_key,
        phone_enc=seal("phone", person.phone),
        nationality=person.nationality,
        address_enc=seal("address", person.address),
        region_code=person.region_code,
        declaration_enc=seal("declaration", json.dumps(asdict(person.declaration))),
        declared_on=person.declared_on.isoformat(),
        color=person.color.value,
        reasons=_reasons_json(person.reasons),
        since=person.since,
        profile=person.profile,
        rules_version=person.rules_version,
        created_at=person.created_at,
        version=person.version,
        history_seq=person.history_seq,
        history_hash=person.history_hash,
        due_key=due_key,
        self_held=person.self_held,
        guardians=person.guardians,
        paper_not_before=person.paper_not_before,
        arrival_enc=seal("arrival", _arrival_json(person.arrival)) if person.arrival else None,
    )


def _person(item: t.PersonItem) -> Person:
    pid = item.person_id

    def open_(field: str, value: str) -> str:
        return decrypt(value, f"persons:{field}:{pid}")

    declared = json.loads(open_("declaration", item.declaration_enc))
    declaration = Declaration(
        visited_regions=tuple(declared["visited_regions"]),
        contact_with_case=declared["contact_with_case"],
        fever_clinic_visit=declared["fever_clinic_visit"],
        symptoms=tuple(Symptom(s) for s in declared["symptoms"]),
        temperature=declared["temperature"],
        from_abroad=declared["from_abroad"],
    )
    return Person(
        person_id=pid,
        name=open_("name", item.name_enc),
        id_type=IdType(item.id_type),
        id_number=open_("id_number", item.id_number_enc),
        phone=open_("phone", item.phone_enc),
        nationality=item.nationality,
        address=open_("address", item.address_enc),
        region_code=item.region_code,
        declaration=declaration,
        declared_on=date.fromisoformat(item.declared_on),
        color=Color(item.color),
        reasons=tuple(_reason(r) for r in json.loads(item.reasons)),
        since=item.since,
        profile=item.profile,
        rules_version=item.rules_version,
        created_at=item.created_at,
        version=int(item.version),
        history_seq=int(item.history_seq or 0),
        history_hash=item.history_hash,
        id_key=item.id_key,
        due=date.fromisoformat(item.due_key.partition("#")[0]) if item.due_key else None,
        self_held=item.self_held is None or bool(item.self_held),  # None: stored before family
        guardians=int(item.guardians or 0),
        paper_not_before=item.paper_not_before,
        arrival=_arrival(open_("arrival", item.arrival_enc)) if item.arrival_enc else None,
    )


def _reason_dict(reason: Reason) -> dict[str, str | None]:
    return {
        "code": reason.code,
        "rule": reason.rule,
        "color": reason.color.value,
        "message": reason.message,
        "message_zh": reason.message_zh,
        "until": reason.until.isoformat() if reason.until else None,
    }


def _reason(data: dict[str, str | None]) -> Reason:
    until = data.get("until")
    return Reason(
        code=str(data["code"]),
        rule=str(data["rule"]),
        color=Color(str(data["color"])),
        message=str(data["message"]),
        message_zh=str(data["message_zh"]),
        until=date.fromisoformat(until) if until else None,
    )


def _link(item: t.LinkItem) -> Link:
    return Link(item.account_id, item.person_id, item.relation, item.created_at)


def _record(item: t.RecordItem) -> Record:
    return Record(
        record_id=item.record_id,
        category=Category(item.category),
        since=date.fromisoformat(item.since),
        until=date.fromisoformat(item.until) if item.until else None,
        imported_at=item.imported_at,
    )


def _signing_key(item: t.KeyItem) -> SigningKey:
    return SigningKey(
        kid=item.kid,
        purpose=item.purpose,
        private_pem=decrypt(item.private_enc, f"keys:{item.purpose}:{item.kid}").encode(),
        public_jwk=json.loads(item.public_jwk),
        created_at=item.created_at,
        retire_at=item.retire_at,
    )


# Places, visits, reports (docs/decisions/0009) --------------------------------------------------


def _at_id(at: datetime, item_id: str) -> str:
    """`<UTC instant, fixed width>#<id>`: sorts by time as text; `_at_id(t, "")` starts at t."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "#" + item_id


def _at_of(at_id: str) -> datetime:
    return datetime.strptime(at_id.partition("#")[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _keys_of_day(index: GlobalSecondaryIndex[M], day: date) -> Iterator[M]:
    """The keys a day-sharded `by_day` index holds for one Asia/Shanghai day."""
    for shard in range(DAY_SHARDS):
        yield from index.query(f"{day.isoformat()}#{shard}")


def _delete_still_on_day(
    index: GlobalSecondaryIndex[M],
    shard_attribute: UnicodeAttribute,
    day: date,
    item_of: Callable[[M], M],
) -> int:
    """Deletes what a day-sharded index holds for `day`, each item only if it is still on that
    day: the index may lag behind a later write that moved the item to another day."""
    removed = 0
    for shard in range(DAY_SHARDS):
        key = f"{day.isoformat()}#{shard}"
        for found in index.query(key):
            try:
                item_of(found).delete(condition=shard_attribute == key)
            except DeleteError as error:
                if error.cause_response_code != _CONDITION_FAILED:
                    raise
                continue
            removed += 1
    return removed


def _delete_all(model: type[M], items: Iterable[M]) -> int:
    removed = 0
    with model.batch_write() as batch:
        for item in items:
            batch.delete(item)
            removed += 1
    return removed


def _place_item(place: Place) -> t.PlaceItem:
    return t.PlaceItem(
        place.place_id,
        name=place.name,
        type=place.type.value,
        region_code=place.region_code,
        address=place.address,
        created_at=place.created_at,
        created_by=place.created_by,
        kid=place.kid,
        token=place.token,
        jti=place.jti,
        closed_at=place.closed_at,
        open_kid=place.kid if place.closed_at is None else None,
    )


def _place(item: t.PlaceItem) -> Place:
    return Place(
        place_id=item.place_id,
        name=item.name,
        type=PlaceType(item.type),
        region_code=item.region_code,
        address=item.address,
        created_at=item.created_at,
        created_by=item.created_by,
        kid=item.kid,
        token=item.token,
        jti=item.jti,
        closed_at=item.closed_at,
    )


def _place_visit(item: t.PlaceVisitItem) -> PlaceVisit:
    return PlaceVisit(
        visit_id=item.at_id.partition("#")[2],
        person_id=item.person_id,
        at=_at_of(item.at_id),
        place_id=item.place_id,
        place_name=item.place_name,
        place_type=PlaceType(item.place_type),
        color=Color(item.color),
    )


def _report_item(report: Report) -> t.ReportItem:
    return t.ReportItem(
        report.region_code,
        _at_id(report.at, report.report_id),
        kind=report.kind.value,
        place_id=report.place_id,
        color=report.color.value,
        person_id=report.person_id,
        day_shard=_day_shard(shanghai_date(report.at), report.report_id),
    )


def _report(item: t.ReportItem) -> Report:
    return Report(
        report_id=item.at_id.partition("#")[2],
        at=_at_of(item.at_id),
        kind=ReportKind(item.kind),
        region_code=item.region_code,
        place_id=item.place_id,
        color=Color(item.color),
        person_id=item.person_id,
    )


# Trust list and arrivals: mapping ---------------------------------------------------------------


def _issuer(item: t.IssuerItem) -> Issuer:
    return Issuer(
        issuer=item.issuer,
        province_code=item.province_code,
        name=item.name,
        jwks=json.loads(item.jwks),
        not_after=item.not_after,
        added_by=item.added_by,
        added_at=item.added_at,
    )


def _arrival_json(arrival: Arrival) -> str:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return json.dumps(
        {
            "origin_province": arrival.origin_province,
            "origin_region": arrival.origin_region,
            "arrival_date": arrival.arrival_date.isoformat(),
            "transport": arrival.transport,
            "origin_color": arrival.origin_color.value if arrival.origin_color else None,
            "origin_issuer": arrival.origin_issuer,
            "quarantine_end": day(arrival.quarantine_end),
            "test_result": arrival.test_result.value,
            "test_date": day(arrival.test_date),
        },
        ensure_ascii=False,
    )


def _arrival(text: str) -> Arrival:
    data = json.loads(text)

    def day(key: str) -> date | None:
        return date.fromisoformat(data[key]) if data.get(key) else None

    return Arrival(
        origin_province=data["origin_province"],
        origin_region=data["origin_region"],
        arrival_date=date.fromisoformat(data["arrival_date"]),
        transport=data["transport"],
        origin_color=Color(data["origin_color"]) if data["origin_color"] else None,
        origin_issuer=data["origin_issuer"],
        quarantine_end=day("quarantine_end"),
        test_result=TestResult(data["test_result"]),
        test_date=day("test_date"),
    )
