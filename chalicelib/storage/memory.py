"""An in-memory store with the same contract as DynamoStore: for fast service tests.
The contract tests in tests/integration run against both."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

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
from chalicelib.domain.history import HistoryEntry
from chalicelib.domain.model import Arrival, Checkin, Record, Risk, Role
from chalicelib.domain.otp import OtpState
from chalicelib.domain.places import Place, PlaceVisit, Report


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.otps: dict[str, tuple[OtpState, int]] = {}
        self.markers: dict[str, str] = {}
        self.accounts: dict[str, Account] = {}
        self.persons: dict[str, Person] = {}
        self.links: dict[tuple[str, str], Link] = {}
        self.regions: dict[str, Risk] = {}
        self.records: dict[str, dict[str, Record]] = {}
        self.keys: dict[str, dict[str, SigningKey]] = {}
        self.scans: list[Scan] = []
        self.history: dict[str, list[HistoryEntry]] = {}
        self.visits: dict[str, dict[str, date]] = {}
        self.states: dict[str, str] = {}
        self.appeal_items: dict[str, Appeal] = {}
        self.due: dict[str, date | None] = {}
        self.checkins: dict[str, dict[date, Checkin]] = {}
        self.shares: dict[str, tuple[str, datetime, str]] = {}
        self.dependents: dict[str, int] = {}
        self.counters: dict[str, int] = {}
        # Trust list and arrivals
        self.issuer_items: dict[str, Issuer] = {}
        self.origin_tokens: dict[str, datetime] = {}

        # Places, visits, reports
        self.places: dict[str, Place] = {}
        self.place_visits: dict[str, list[PlaceVisit]] = {}
        self.reports: list[Report] = []

    def get_otp(self, phone_key: str) -> tuple[OtpState | None, int]:
        state, version = self.otps.get(phone_key, (None, 0))
        return state, version

    def save_otp(self, phone_key: str, state: OtpState, expected_version: int) -> None:
        with self._lock:
            if self.otps.get(phone_key, (None, 0))[1] != expected_version:
                raise Conflict()
            self.otps[phone_key] = (state, expected_version + 1)

    def account_for_phone(self, phone_key: str) -> Account | None:
        account_id = self.markers.get(f"phone:{phone_key}")
        return self.accounts.get(account_id) if account_id else None

    def create_account(self, account: Account, phone_key: str) -> None:
        with self._lock:
            if f"phone:{phone_key}" in self.markers:
                raise Conflict()
            self.markers[f"phone:{phone_key}"] = account.account_id
            self.accounts[account.account_id] = account

    def get_account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def grant_role(
        self, account_id: str, role: Role, *, name: str | None, place_id: str | None
    ) -> Account:
        with self._lock:
            account = self.accounts[account_id]
            updated = replace(
                account,
                roles=account.roles | {role},
                name=name if name is not None else account.name,
                place_id=place_id if place_id is not None else account.place_id,
            )
            self.accounts[account_id] = updated
            return updated

    def accounts_with_role(self, role: Role, limit: int) -> list[Account]:
        return [a for a in self.accounts.values() if role in a.roles][:limit]

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
        with self._lock:
            if any(marker in self.markers for marker in markers):
                raise AlreadyApplied()
            if link.relation != "self" and dependent_limit is not None:
                if self.dependents.get(link.account_id, 0) >= dependent_limit:
                    raise TooManyDependents()
                self.dependents[link.account_id] = self.dependents.get(link.account_id, 0) + 1
            for region in visits:
                assert visits_until is not None
                self.visits.setdefault(region, {})[person.person_id] = visits_until
            self.markers.update({marker: person.person_id for marker in markers})
            self.persons[person.person_id] = person
            self.links[(link.account_id, link.person_id)] = link
            self.history[person.person_id] = [entry]
            self.due[person.person_id] = due

    def persons_for_id_keys(self, id_keys: Iterable[str]) -> dict[str, str]:
        found = {key: self.markers.get(f"id:{key}") for key in set(id_keys)}
        return {key: pid for key, pid in found.items() if pid}

    def persons_visiting(self, region_code: str, today: date) -> list[str]:
        visits = self.visits.get(region_code, {})
        return sorted(pid for pid, until in visits.items() if until >= today)

    def count_persons(self) -> int:
        return len(self.persons)

    def person_ids(
        self, segment: int, segments: int, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        mine = sorted(pid for pid in self.persons if int(pid, 16) % segments == segment)
        after = [pid for pid in mine if start is None or pid > start]
        page = after[:limit]
        return page, (page[-1] if len(after) > limit else None)

    def get_state(self, name: str) -> str | None:
        return self.states.get(name)

    def put_state(self, name: str, value: str) -> None:
        self.states[name] = value

    def take_state(self, name: str) -> str | None:
        with self._lock:
            return self.states.pop(name, None)

    def add_appeal(self, appeal: Appeal) -> None:
        self.appeal_items[appeal.appeal_id] = appeal

    def get_appeal(self, appeal_id: str) -> Appeal | None:
        return self.appeal_items.get(appeal_id)

    def appeals(self, status: str, limit: int) -> list[Appeal]:
        found = [a for a in self.appeal_items.values() if a.status == status]
        return sorted(found, key=lambda a: a.created_at)[:limit]

    def resolve_appeal(
        self, appeal: Appeal, cleared: tuple[str, Record] | None = None, *, at: datetime
    ) -> None:
        with self._lock:
            if self.appeal_items[appeal.appeal_id].status != "open":
                raise Conflict()
            if cleared is not None:
                kept = self.records.setdefault(cleared[0], {})
                if cleared[1].record_id in kept:
                    raise Conflict()
                kept[cleared[1].record_id] = replace(cleared[1], imported_at=at)
            self.appeal_items[appeal.appeal_id] = appeal

    def save_assessment(
        self, person: Person, expected_version: int, entry: HistoryEntry | None, due: date | None
    ) -> None:
        with self._lock:
            stored = self.persons.get(person.person_id)
            if stored is None or stored.version != expected_version:
                raise Conflict()
            # Only what an assessment moves: bindings and revocations are kept as stored.
            self.persons[person.person_id] = replace(
                person,
                guardians=stored.guardians,
                self_held=stored.self_held,
                paper_not_before=stored.paper_not_before,
            )
            if entry is not None:
                self.history.setdefault(person.person_id, []).append(entry)
            self.due[person.person_id] = due

    def history_of(self, person_id: str) -> list[HistoryEntry]:
        return list(self.history.get(person_id, []))

    def persons_due(self, day: date) -> list[str]:
        return sorted(pid for pid, due in self.due.items() if due == day)

    def due_persons(self, day: date) -> Iterator[Person]:
        with self._lock:
            due = [self.persons[pid] for pid in self.persons_due(day) if pid in self.persons]
        return iter(due)

    def get_person(self, person_id: str, *, consistent: bool = False) -> Person | None:
        return self.persons.get(person_id)

    def get_status(self, person_id: str) -> Status | None:
        person = self.persons.get(person_id)
        if person is None:
            return None
        return Status(person.person_id, person.color, person.name, person.paper_not_before)

    def get_link(self, account_id: str, person_id: str) -> Link | None:
        return self.links.get((account_id, person_id))

    def links_of(self, account_id: str) -> list[Link]:
        found = [link for (owner, _), link in self.links.items() if owner == account_id]
        return sorted(found, key=lambda link: link.person_id)

    def region_risks(self, codes: Iterable[str]) -> dict[str, Risk]:
        return {code: self.regions[code] for code in set(codes) if code in self.regions}

    def put_region(self, code: str, risk: Risk, *, by: str, at: datetime) -> None:
        self.regions[code] = risk

    def records_for(self, id_key: str) -> list[Record]:
        return sorted(self.records.get(id_key, {}).values(), key=lambda r: r.record_id)

    def put_record(self, id_key: str, record: Record, *, by: str, at: datetime) -> bool:
        with self._lock:
            kept = self.records.setdefault(id_key, {})
            if record.record_id in kept:
                return False
            kept[record.record_id] = replace(record, imported_at=at)
            return True

    def signing_keys(self, purpose: str) -> list[SigningKey]:
        return sorted(self.keys.get(purpose, {}).values(), key=lambda k: k.created_at)

    def add_signing_key(self, key: SigningKey) -> None:
        with self._lock:
            kept = self.keys.setdefault(key.purpose, {})
            if key.kid in kept:
                raise Conflict()
            kept[key.kid] = key

    def retire_signing_key(self, purpose: str, kid: str, retire_at: datetime) -> None:
        with self._lock:
            key = self.keys[purpose][kid]
            self.keys[purpose][kid] = replace(key, retire_at=retire_at)

    def add_scan(self, scan: Scan) -> None:
        self.scans.append(scan)

    def delete_scans_of_day(self, day: date) -> int:
        with self._lock:
            kept = [s for s in self.scans if shanghai_date(s.at) != day]
            removed = len(self.scans) - len(kept)
            self.scans = kept
            return removed

    def delete_otps_of_day(self, day: date) -> int:
        def last_day(state: OtpState) -> date:
            newest = max((state.expires_at, *state.sent_at))
            return shanghai_date(datetime.fromtimestamp(newest, UTC))

        with self._lock:
            gone = [key for key, (state, _) in self.otps.items() if last_day(state) == day]
            for key in gone:
                del self.otps[key]
            return len(gone)

    def put_checkin(self, person_id: str, checkin: Checkin, at: datetime) -> bool:
        with self._lock:
            days = self.checkins.setdefault(person_id, {})
            first = checkin.day not in days
            days[checkin.day] = checkin
            return first

    def checkins_of(self, person_id: str, first: date, last: date) -> list[Checkin]:
        days = self.checkins.get(person_id, {})
        return [days[day] for day in sorted(days) if first <= day <= last]

    def delete_checkins_of_day(self, day: date) -> int:
        with self._lock:
            removed = 0
            for days in self.checkins.values():
                removed += days.pop(day, None) is not None
            return removed

    def delete_visits_until_day(self, day: date) -> int:
        with self._lock:
            removed = 0
            for visitors in self.visits.values():
                for person_id in [pid for pid, until in visitors.items() if until == day]:
                    del visitors[person_id]
                    removed += 1
            return removed

    def get_watermark(self, name: str) -> str | None:
        return self.markers.get(f"watermark:{name}")

    def set_watermark(self, name: str, value: str) -> None:
        with self._lock:  # only forwards, as in DynamoDB
            current = self.markers.get(f"watermark:{name}")
            if current is None or current < value:
                self.markers[f"watermark:{name}"] = value

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
        with self._lock:
            share = self.shares.get(share_key)
            person = self.persons.get(link.person_id)
            if share is None or share[0] != link.person_id or share[1] <= now:
                raise InvalidShareCode()
            if (share[2], link.person_id) not in self.links:
                raise InvalidShareCode()  # whoever gave consent no longer acts for the person
            if (link.account_id, link.person_id) in self.links:
                raise AlreadyBound()
            if self.dependents.get(link.account_id, 0) >= max_dependents:
                raise TooManyDependents()
            if person is None or person.guardians >= max_guardians:
                raise TooManyGuardians()
            del self.shares[share_key]
            self.links[(link.account_id, link.person_id)] = link
            self.dependents[link.account_id] = self.dependents.get(link.account_id, 0) + 1
            self.persons[person.person_id] = replace(person, guardians=person.guardians + 1)

    def put_share(
        self, share_key: str, person_id: str, issued_by: str, expires_at: datetime
    ) -> None:
        with self._lock:
            if share_key in self.shares:
                raise Conflict()
            self.shares[share_key] = (person_id, expires_at, issued_by)

    def unbind(self, account_id: str, person_id: str) -> None:
        with self._lock:
            link = self.links.get((account_id, person_id))
            if link is None or link.relation == "self":
                raise NotFound()
            person = self.persons[person_id]
            if person.guardians <= 1 and not person.self_held:
                raise LastGuardian()
            del self.links[(account_id, person_id)]
            self.dependents[account_id] = self.dependents.get(account_id, 0) - 1
            self.persons[person_id] = replace(person, guardians=person.guardians - 1)

    def links_to(self, person_id: str) -> list[Link]:
        found = [link for (_, pid), link in self.links.items() if pid == person_id]
        return sorted(found, key=lambda link: link.account_id)

    def revoke_paper_codes(self, person_id: str, before: datetime) -> None:
        with self._lock:
            person = self.persons.get(person_id)
            if person is None:
                raise NotFound()
            self.persons[person_id] = replace(person, paper_not_before=before)

    def count_hit(self, key: str, limit: int | None, expires_at: datetime, amount: int = 1) -> bool:
        with self._lock:
            if limit is not None and self.counters.get(key, 0) + amount > limit:
                return False
            self.counters[key] = self.counters.get(key, 0) + amount
            return True

    def count_of(self, key: str) -> int:
        return self.counters.get(key, 0)

    def erase_person(
        self,
        person: Person,
        links: list[Link],
        markers: tuple[str, ...],
        anonymous: list[HistoryEntry],
    ) -> dict[str, int]:
        pid = person.person_id
        place_visits = self.delete_place_visits_of(pid)
        with self._lock:
            gone = {
                "place_visits": place_visits,
                "checkins": len(self.checkins.pop(pid, {})),
                "scans": sum(1 for scan in self.scans if scan.person_id == pid),
                "appeals": sum(1 for a in self.appeal_items.values() if a.person_id == pid),
                "declared_visits": 0,
                "history": len(self.history.pop(pid, [])),
                "links": len(links),
            }
            self.scans = [scan for scan in self.scans if scan.person_id != pid]
            self.appeal_items = {
                aid: a for aid, a in self.appeal_items.items() if a.person_id != pid
            }
            for visitors in self.visits.values():
                gone["declared_visits"] += visitors.pop(pid, None) is not None
            if anonymous:
                self.history[anonymous[0].person_id] = list(anonymous)
            self.persons.pop(pid, None)
            self.due.pop(pid, None)
            for key in markers:
                if self.markers.get(key) == pid:
                    del self.markers[key]
            for link in [held for key, held in self.links.items() if key[1] == pid]:
                del self.links[(link.account_id, pid)]
                if link.relation != "self":
                    self.dependents[link.account_id] = self.dependents.get(link.account_id, 0) - 1
            return gone

    # Places, visits, reports (docs/decisions/0009) -------------------------------------------

    def add_place(self, place: Place) -> None:
        with self._lock:
            key = self.keys.get("place", {}).get(place.kid)
            if place.place_id in self.places or key is None or key.retire_at is not None:
                raise Conflict()
            self.places[place.place_id] = place

    def get_place(self, place_id: str) -> Place | None:
        return self.places.get(place_id)

    def close_place(self, place_id: str, at: datetime) -> Place | None:
        with self._lock:
            place = self.places.get(place_id)
            if place is not None and place.is_open:
                place = self.places[place_id] = replace(place, closed_at=at)
            return place

    def place_key_in_use(self, kid: str) -> bool:
        return any(p.kid == kid and p.is_open for p in self.places.values())

    def add_place_visit(self, visit: PlaceVisit, report: Report | None) -> None:
        with self._lock:
            self.place_visits.setdefault(visit.person_id, []).append(visit)
            if report is not None:
                self.reports.append(report)

    def place_visits_of(self, person_id: str, since: datetime) -> list[PlaceVisit]:
        found = [v for v in self.place_visits.get(person_id, []) if v.at >= since]
        return sorted(found, key=lambda v: (v.at, v.visit_id), reverse=True)

    def delete_place_visits_of(self, person_id: str) -> int:
        with self._lock:
            return len(self.place_visits.pop(person_id, []))

    def delete_place_visits_of_day(self, day: date) -> int:
        with self._lock:
            removed = 0
            for person_id, visits in self.place_visits.items():
                kept = [v for v in visits if shanghai_date(v.at) != day]
                removed += len(visits) - len(kept)
                self.place_visits[person_id] = kept
            return removed

    def add_report(self, report: Report) -> None:
        with self._lock:
            self.reports.append(report)

    def reports_for(self, region_code: str, since: datetime, limit: int) -> list[Report]:
        found = [r for r in self.reports if r.region_code == region_code and r.at >= since]
        return sorted(found, key=lambda r: (r.at, r.report_id), reverse=True)[:limit]

    def delete_reports_of_day(self, day: date) -> int:
        with self._lock:
            kept = [r for r in self.reports if shanghai_date(r.at) != day]
            removed = len(self.reports) - len(kept)
            self.reports = kept
            return removed

    # Trust list and arrivals

    def put_issuer(self, issuer: Issuer) -> bool:
        with self._lock:
            new = issuer.issuer not in self.issuer_items
            self.issuer_items[issuer.issuer] = issuer
            return new

    def get_issuer(self, issuer: str) -> Issuer | None:
        return self.issuer_items.get(issuer)

    def issuers(self) -> list[Issuer]:
        return [self.issuer_items[key] for key in sorted(self.issuer_items)]

    def delete_issuer(self, issuer: str) -> bool:
        with self._lock:
            return self.issuer_items.pop(issuer, None) is not None

    def claim_origin_token(self, key: str, until: datetime, at: datetime) -> bool:
        with self._lock:
            if key in self.origin_tokens:
                return False
            self.origin_tokens[key] = until
            return True

    def release_origin_token(self, key: str) -> None:
        with self._lock:
            self.origin_tokens.pop(key, None)

    def save_arrival(
        self, person_id: str, arrival: Arrival, visits: tuple[str, ...], visits_until: date
    ) -> None:
        with self._lock:
            person = self.persons.get(person_id)
            if person is None:
                raise NotFound()
            self.persons[person_id] = replace(person, arrival=arrival, version=person.version + 1)
            for region in visits:
                self.visits.setdefault(region, {})[person_id] = visits_until
