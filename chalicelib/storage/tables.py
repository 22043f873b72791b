"""Every DynamoDB table and index, declared once. Table names get the stage's prefix when the
store is first used (configure), so one database can hold several stages or test runs.

See docs/decisions/0003-tables-and-indexes.md for why the tables look like this.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib import config
from chalicelib.storage import faults as _faults  # noqa: F401 (before any connection is made)
from chalicelib.storage.attributes import DateAttribute


class _Table(Model):
    class Meta:
        abstract = True


class OtpsByDay(GlobalSecondaryIndex["OtpItem"]):
    """Login states by the day of their last activity, so purge reads only days past retention."""

    class Meta:
        index_name = "by_day"
        projection = KeysOnlyProjection()

    day_shard = UnicodeAttribute(hash_key=True)
    phone_key = UnicodeAttribute(range_key=True)


class OtpItem(_Table):
    """Login codes per phone: keyed by the phone's blind index, code stored hashed."""

    class Meta:
        table_name = "otps"
        billing_mode = "PAY_PER_REQUEST"

    phone_key = UnicodeAttribute(hash_key=True)
    code_hash = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()
    attempts = NumberAttribute()
    sent_at = ListAttribute(of=NumberAttribute)
    version = NumberAttribute()
    ttl = NumberAttribute(null=True)  # housekeeping only: reads check expires_at
    day_shard = UnicodeAttribute(null=True)  # `<Shanghai day of the last activity>#<shard>`
    by_day = OtpsByDay()


class MarkerItem(_Table):
    """Uniqueness markers: `id:<blind index>` -> person, `phone:<blind index>` -> account,
    `self:<account>` -> the account's own person; one-time share codes `share:<hash>` -> person;
    job states, watermarks and rate counters."""

    class Meta:
        table_name = "markers"
        billing_mode = "PAY_PER_REQUEST"

    key = UnicodeAttribute(hash_key=True)
    target = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute(null=True)  # share codes, rate counters: epoch seconds
    hits = NumberAttribute(null=True)  # rate counters
    issued_by = UnicodeAttribute(null=True)  # share codes: the account that gave consent
    ttl = NumberAttribute(null=True)  # housekeeping only: reads check expires_at
    # Batch jobs (`job:<id>`, docs/decisions/0030-queue.md): counters added by queued tasks,
    # each piece of work once (a `piece:<job>:<piece>` marker in the same transaction).
    total = NumberAttribute(null=True)
    done = NumberAttribute(null=True)
    recoloured = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    lists = NumberAttribute(null=True)  # enumerations the job waits for (segments, pages)
    lists_done = NumberAttribute(null=True)


class CheckersIndex(GlobalSecondaryIndex["AccountItem"]):
    """The enrolled checkers (sparse: `staff` is set only on them), for the authority's list."""

    class Meta:
        index_name = "checkers"
        projection = AllProjection()

    staff = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)


class AccountItem(_Table):
    class Meta:
        table_name = "accounts"
        billing_mode = "PAY_PER_REQUEST"

    account_id = UnicodeAttribute(hash_key=True)
    phone_enc = UnicodeAttribute()
    name_enc = UnicodeAttribute(null=True)
    roles = UnicodeSetAttribute()
    place_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    dependents = NumberAttribute(null=True)  # family members this account acts for
    staff = UnicodeAttribute(null=True)  # "checker" while enrolled as one (the checkers index)
    checkers = CheckersIndex()


class PersonsByDue(GlobalSecondaryIndex["PersonItem"]):
    """Persons whose colour may change by itself on a day: `<date>#<shard>` (sparse). It
    projects the whole item, so the expire job reads each due person once, from the index."""

    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    due_key = UnicodeAttribute(hash_key=True)
    person_id = UnicodeAttribute(range_key=True)


class PersonItem(_Table):
    """A code holder. Personal fields are AES-GCM ciphertexts; the colour is plain for verify."""

    class Meta:
        table_name = "persons"
        billing_mode = "PAY_PER_REQUEST"

    person_id = UnicodeAttribute(hash_key=True)
    name_enc = UnicodeAttribute()
    id_type = UnicodeAttribute()
    id_number_enc = UnicodeAttribute()
    id_key = UnicodeAttribute()
    phone_enc = UnicodeAttribute()
    nationality = UnicodeAttribute()
    address_enc = UnicodeAttribute()
    region_code = UnicodeAttribute()
    declaration_enc = UnicodeAttribute()
    declared_on = DateAttribute()
    color = UnicodeAttribute()
    reasons = UnicodeAttribute()  # JSON: codes, rule ids, dates; nothing personal
    reason_notes_enc = UnicodeAttribute(null=True)  # the authority's notes per reason, encrypted
    since = UTCDateTimeAttribute()
    profile = UnicodeAttribute()
    rules_version = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    version = NumberAttribute()
    history_seq = NumberAttribute(default=0)
    history_hash = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    self_held = BooleanAttribute(null=True)
    guardians = NumberAttribute(null=True)
    paper_not_before = UTCDateTimeAttribute(null=True)
    # Arrivals: the latest arrival declaration (origin, dates, test), encrypted.
    arrival_enc = UnicodeAttribute(null=True)
    by_due = PersonsByDue()


class HistoryItem(_Table):
    """Colour changes per person, in order, each with the hash of the one before."""

    class Meta:
        table_name = "history"
        billing_mode = "PAY_PER_REQUEST"

    person_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    from_color = UnicodeAttribute(null=True)
    to_color = UnicodeAttribute()
    reasons = ListAttribute(of=UnicodeAttribute)
    rule = UnicodeAttribute()
    rules_version = UnicodeAttribute()
    profile = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    actor = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    prev_hash = UnicodeAttribute(null=True)
    hash = UnicodeAttribute()
    note_enc = UnicodeAttribute(null=True)  # the authority's notes behind the change, encrypted


class LinksByPerson(GlobalSecondaryIndex["LinkItem"]):
    class Meta:
        index_name = "by_person"
        projection = KeysOnlyProjection()

    person_id = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)


class LinkItem(_Table):
    """Who may act for whom: (account, person) with the relation (`self` or a family one)."""

    class Meta:
        table_name = "links"
        billing_mode = "PAY_PER_REQUEST"

    account_id = UnicodeAttribute(hash_key=True)
    person_id = UnicodeAttribute(range_key=True)
    relation = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    by_person = LinksByPerson()


class RegionItem(_Table):
    class Meta:
        table_name = "regions"
        billing_mode = "PAY_PER_REQUEST"

    region_code = UnicodeAttribute(hash_key=True)
    risk = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


class VisitsByPerson(GlobalSecondaryIndex["VisitItem"]):
    """A person's declared visits (declarations and every arrival): deleted with the person."""

    class Meta:
        index_name = "by_person"
        projection = KeysOnlyProjection()

    person_id = UnicodeAttribute(hash_key=True)
    region_code = UnicodeAttribute(range_key=True)


class VisitsByUntil(GlobalSecondaryIndex["VisitItem"]):
    """Declared visits by the last day they count (`<day>#<shard>`): purge reads only days past
    retention."""

    class Meta:
        index_name = "by_until"
        projection = KeysOnlyProjection()

    until_shard = UnicodeAttribute(hash_key=True)
    person_id = UnicodeAttribute(range_key=True)


class VisitItem(_Table):
    """Who declared a visit to a region, and until when it counts: when the region's risk
    changes, exactly these persons are re-evaluated."""

    class Meta:
        table_name = "visits"
        billing_mode = "PAY_PER_REQUEST"

    region_code = UnicodeAttribute(hash_key=True)
    person_id = UnicodeAttribute(range_key=True)
    until = DateAttribute()
    until_shard = UnicodeAttribute(null=True)  # `<until>#<shard>`
    by_person = VisitsByPerson()
    by_until = VisitsByUntil()


class AppealsByStatus(GlobalSecondaryIndex["AppealItem"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AppealsByPerson(GlobalSecondaryIndex["AppealItem"]):
    """A person's appeals: deleting a person's data (注销) finds them here."""

    class Meta:
        index_name = "by_person"
        projection = KeysOnlyProjection()

    person_id = UnicodeAttribute(hash_key=True)
    appeal_id = UnicodeAttribute(range_key=True)


class AppealItem(_Table):
    """Feedback and complaints (反馈与投诉 / 纠错) about a colour; the message is encrypted."""

    class Meta:
        table_name = "appeals"
        billing_mode = "PAY_PER_REQUEST"

    appeal_id = UnicodeAttribute(hash_key=True)
    person_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    message_enc = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    color = UnicodeAttribute()
    decision = UnicodeAttribute(null=True)
    reason_enc = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    by_status = AppealsByStatus()
    by_person = AppealsByPerson()


class RecordItem(_Table):
    """Epidemic records, keyed by the blind index of the ID document so that records for people
    who have not applied yet apply when they do."""

    class Meta:
        table_name = "records"
        billing_mode = "PAY_PER_REQUEST"

    id_key = UnicodeAttribute(hash_key=True)
    record_id = UnicodeAttribute(range_key=True)
    category = UnicodeAttribute()
    since = DateAttribute()
    until = DateAttribute(null=True)
    imported_by = UnicodeAttribute()
    imported_at = UTCDateTimeAttribute()
    note_enc = UnicodeAttribute(null=True)  # the authority's note to the holder, encrypted


class KeyItem(_Table):
    """Signing keys shared by every function instance; the private half is encrypted."""

    class Meta:
        table_name = "keys"
        billing_mode = "PAY_PER_REQUEST"

    purpose = UnicodeAttribute(hash_key=True)
    kid = UnicodeAttribute(range_key=True)
    private_enc = UnicodeAttribute()
    public_jwk = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    retire_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)


class ScansByPerson(GlobalSecondaryIndex["ScanItem"]):
    class Meta:
        index_name = "by_person"
        projection = KeysOnlyProjection()

    person_id = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class ScanItem(_Table):
    """Scans by Asia/Shanghai day and shard, so retention purges read only old days."""

    class Meta:
        table_name = "scans"
        billing_mode = "PAY_PER_REQUEST"

    day_shard = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)
    checker_id = UnicodeAttribute()
    place_id = UnicodeAttribute(null=True)
    valid = BooleanAttribute()
    passed = BooleanAttribute()
    color = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    person_id = UnicodeAttribute(null=True)
    via = UnicodeAttribute(null=True)  # `phone` for a lookup by a guardian's phone
    by_person = ScansByPerson()


class CheckinsByDay(GlobalSecondaryIndex["CheckinItem"]):
    class Meta:
        index_name = "by_day"
        projection = KeysOnlyProjection()

    day_shard = UnicodeAttribute(hash_key=True)
    person_id = UnicodeAttribute(range_key=True)


class CheckinItem(_Table):
    """One daily check-in per person and Asia/Shanghai day (a second one replaces it). The
    temperature and symptoms are health data: one AES-GCM ciphertext. `by_day` (day and shard)
    lets purge read only days past retention."""

    class Meta:
        table_name = "checkins"
        billing_mode = "PAY_PER_REQUEST"

    person_id = UnicodeAttribute(hash_key=True)
    day = DateAttribute(range_key=True)
    health_enc = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    day_shard = UnicodeAttribute()
    by_day = CheckinsByDay()


# Places, visits, reports (docs/decisions/0009) ---------------------------------------------------


class PlacesByKid(GlobalSecondaryIndex["PlaceItem"]):
    """Open places by the place key that signed their token (sparse: closing removes
    `open_kid`), so a superseded key is retired only when no open place uses it."""

    class Meta:
        index_name = "by_kid"
        projection = KeysOnlyProjection()

    open_kid = UnicodeAttribute(hash_key=True)
    place_id = UnicodeAttribute(range_key=True)


class PlaceItem(_Table):
    """A registered place (not personal data) and the token its QR holds."""

    class Meta:
        table_name = "places"
        billing_mode = "PAY_PER_REQUEST"

    place_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    region_code = UnicodeAttribute()
    address = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    kid = UnicodeAttribute()
    token = UnicodeAttribute()
    jti = UnicodeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    open_kid = UnicodeAttribute(null=True)
    by_kid = PlacesByKid()


class PlaceVisitsByDay(GlobalSecondaryIndex["PlaceVisitItem"]):
    class Meta:
        index_name = "by_day"
        projection = KeysOnlyProjection()

    day_shard = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class PlaceVisitItem(_Table):
    """Place codes a person scanned (not the declared `visits` to regions): keyed by person,
    so one query lists or deletes them all; `by_day` lets purge read only old days."""

    class Meta:
        table_name = "place_visits"
        billing_mode = "PAY_PER_REQUEST"

    person_id = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)  # `<UTC instant>#<visit id>`
    place_id = UnicodeAttribute()
    place_name = UnicodeAttribute()
    place_type = UnicodeAttribute()
    color = UnicodeAttribute()
    day_shard = UnicodeAttribute()
    by_day = PlaceVisitsByDay()


class ReportsByDay(GlobalSecondaryIndex["ReportItem"]):
    class Meta:
        index_name = "by_day"
        projection = KeysOnlyProjection()

    day_shard = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class ReportItem(_Table):
    """Yellow and red scans and place visits by region and time, for the authority: a query
    reads one region from a day on; `by_day` lets purge read only old days."""

    class Meta:
        table_name = "reports"
        billing_mode = "PAY_PER_REQUEST"

    region_code = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)  # `<UTC instant>#<report id>`
    kind = UnicodeAttribute()
    place_id = UnicodeAttribute(null=True)
    color = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)
    day_shard = UnicodeAttribute()
    by_day = ReportsByDay()


# Trust list and arrivals ------------------------------------------------------------------------


class IssuerItem(_Table):
    """A partner province's code issuer we trust (省际互认), with its public JWKS."""

    class Meta:
        table_name = "issuers"
        billing_mode = "PAY_PER_REQUEST"

    issuer = UnicodeAttribute(hash_key=True)
    province_code = UnicodeAttribute()
    name = UnicodeAttribute()
    jwks = UnicodeAttribute()  # JSON: public EC P-256 keys only
    not_after = UTCDateTimeAttribute(null=True)
    added_by = UnicodeAttribute()
    added_at = UTCDateTimeAttribute()


class OriginTokenItem(_Table):
    """Partner tokens already used for an arrival (`<iss> <jti>`): each serves one arrival.
    Reads never rely on the TTL (housekeeping only): an expired token no longer verifies."""

    class Meta:
        table_name = "origin_tokens"
        billing_mode = "PAY_PER_REQUEST"

    token_key = UnicodeAttribute(hash_key=True)
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()


class ErasureItem(_Table):
    """The erasure ledger: one entry per deleted person, by Asia/Shanghai day, holding nothing
    but the person's random id and when. After a point-in-time restore of the other tables,
    `manage replay-erasures` erases again whom it names. It is never restored itself."""

    class Meta:
        table_name = "erasures"
        billing_mode = "PAY_PER_REQUEST"

    day = DateAttribute(hash_key=True)
    at_person = UnicodeAttribute(range_key=True)  # "<ISO instant>#<person_id>": in time order
    person_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class IdempotencyItem(_Table):
    """A request sent with an Idempotency-Key and its first 2xx answer, for 24 hours: a slot per
    account and key (`<account>:<sha256 of the key>`). The answer is encrypted at rest."""

    class Meta:
        table_name = "idempotency"
        billing_mode = "PAY_PER_REQUEST"

    slot = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    status = NumberAttribute(null=True)  # None while the first request runs
    content_type = UnicodeAttribute(null=True)
    body_enc = UnicodeAttribute(null=True)
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()  # housekeeping only: reads check expires_at


class ClaimsByStatus(GlobalSecondaryIndex["ClaimItem"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ClaimItem(_Table):
    """Claims of an ID's owner against a person someone else made with it; personal fields
    encrypted."""

    class Meta:
        table_name = "claims"
        billing_mode = "PAY_PER_REQUEST"

    claim_id = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    id_type = UnicodeAttribute()
    id_number_enc = UnicodeAttribute()
    id_key = UnicodeAttribute()
    name_enc = UnicodeAttribute()
    message_enc = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    decision = UnicodeAttribute(null=True)
    note_enc = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    by_status = ClaimsByStatus()


ALL_TABLES: tuple[type[_Table], ...] = (
    OtpItem,
    MarkerItem,
    AccountItem,
    PersonItem,
    HistoryItem,
    LinkItem,
    RegionItem,
    RecordItem,
    KeyItem,
    ScanItem,
    VisitItem,
    AppealItem,
    CheckinItem,
    IssuerItem,
    OriginTokenItem,
    # Places, visits, reports
    PlaceItem,
    PlaceVisitItem,
    ReportItem,
    ErasureItem,
    IdempotencyItem,
    ClaimItem,
)
_BASE_NAMES = {model: str(model.Meta.table_name) for model in ALL_TABLES}  # type: ignore[attr-defined]
_bound: tuple[str, str, float, float, int] | None = None


def configure() -> None:
    """Point every model at the stage's tables. Cheap when nothing changed."""
    global _bound
    connect, read, attempts = config.ddb_timeouts()
    wanted = (config.table_prefix(), config.aws_region(), connect, read, attempts)
    if wanted == _bound:
        return
    for model in ALL_TABLES:
        settings = {
            "table_name": wanted[0] + _BASE_NAMES[model],
            "region": wanted[1],
            "connect_timeout_seconds": connect,
            "read_timeout_seconds": read,
            "max_retry_attempts": attempts,
        }
        for name, value in settings.items():
            setattr(model.Meta, name, value)
        model._connection = None
    _bound = wanted


def create_all(wait: bool = True) -> list[str]:
    """Creates the tables that do not exist yet, and the indexes an existing table lacks (or
    whose projection changed); returns the names of what it created."""
    from chalicelib.storage.migrate import sync_indexes

    configure()
    created = []
    for model in ALL_TABLES:
        if not model.exists():
            model.create_table(wait=wait)
            created.append(model.Meta.table_name)  # type: ignore[attr-defined]
        else:
            created += sync_indexes(model)
    return created


def delete_all() -> None:
    configure()
    for model in ALL_TABLES:
        if model.exists():
            model.delete_table()
