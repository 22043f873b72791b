"""The store on DynamoDB: one repository per port of `services.ports`, each mapping the domain's
values to the tables in `storage.tables` (personal fields encrypted on the way in, decrypted on
the way out), all sharing one connection for transactions."""

from __future__ import annotations

from chalicelib.services.ports import Store
from chalicelib.storage.dynamo.accounts import DynamoAccounts, DynamoLogins
from chalicelib.storage.dynamo.appeals import DynamoAppeals
from chalicelib.storage.dynamo.checkins import DynamoCheckins
from chalicelib.storage.dynamo.claims import DynamoClaims
from chalicelib.storage.dynamo.common import Db
from chalicelib.storage.dynamo.epidemic import DynamoEpidemic
from chalicelib.storage.dynamo.erasure import DynamoErasure
from chalicelib.storage.dynamo.family import DynamoFamily
from chalicelib.storage.dynamo.history import DynamoHistory
from chalicelib.storage.dynamo.idempotency import DynamoIdempotency
from chalicelib.storage.dynamo.jobs import DynamoCounters, DynamoJobs
from chalicelib.storage.dynamo.keys import DynamoKeys
from chalicelib.storage.dynamo.persons import DynamoPersons
from chalicelib.storage.dynamo.places import DynamoPlaces
from chalicelib.storage.dynamo.progress import DynamoProgress
from chalicelib.storage.dynamo.scans import DynamoReports, DynamoScans
from chalicelib.storage.dynamo.trust import DynamoTrust
from chalicelib.storage.faults import guarded


def DynamoStore(db: Db | None = None) -> Store:  # noqa: N802 (reads as the type it builds)
    """Every port on DynamoDB, sharing `db` (a new one by default); a failing database is the
    domain's `Unavailable` through every one of them (`faults.py`)."""
    db = db or Db()
    return Store(
        logins=guarded(DynamoLogins(db)),
        accounts=guarded(DynamoAccounts(db)),
        persons=guarded(DynamoPersons(db)),
        history=guarded(DynamoHistory(db)),
        appeals=guarded(DynamoAppeals(db)),
        family=guarded(DynamoFamily(db)),
        epidemic=guarded(DynamoEpidemic(db)),
        checkins=guarded(DynamoCheckins(db)),
        keys=guarded(DynamoKeys(db)),
        scans=guarded(DynamoScans(db)),
        reports=guarded(DynamoReports(db)),
        places=guarded(DynamoPlaces(db)),
        trust=guarded(DynamoTrust(db)),
        jobs=guarded(DynamoJobs(db)),
        counters=guarded(DynamoCounters(db)),
        erasure=guarded(DynamoErasure(db)),
        idempotency=guarded(DynamoIdempotency(db)),
        claims=guarded(DynamoClaims(db)),
        progress=guarded(DynamoProgress(db)),
    )


__all__ = ["Db", "DynamoStore"]
