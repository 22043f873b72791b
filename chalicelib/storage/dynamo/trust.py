"""Partner provinces' code issuers we trust (省际互认), and partner tokens used for arrivals."""

from __future__ import annotations

import json
from datetime import datetime

from chalicelib.domain.entities import Issuer
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get, held


class DynamoTrust(Repository):
    def put(self, issuer: Issuer) -> bool:
        item = t.IssuerItem(
            issuer.issuer,
            province_code=issuer.province_code,
            name=issuer.name,
            jwks=json.dumps(issuer.jwks, sort_keys=True),
            not_after=issuer.not_after,
            added_by=issuer.added_by,
            added_at=issuer.added_at,
        )
        return self._db.put_returning_old(item)

    def get(self, issuer: str) -> Issuer | None:
        item = get(t.IssuerItem, issuer, consistent_read=True)
        return _issuer(item) if item else None

    def all(self) -> list[Issuer]:
        found = [_issuer(item) for item in t.IssuerItem.scan(consistent_read=True)]
        return sorted(found, key=lambda i: i.issuer)

    def delete(self, issuer: str) -> bool:
        return held(lambda: t.IssuerItem(issuer).delete(condition=t.IssuerItem.issuer.exists()))

    def claim_origin_token(self, key: str, until: datetime, at: datetime) -> bool:
        item = t.OriginTokenItem(key, expires_at=until, used_at=at, ttl=until)
        return held(lambda: item.save(condition=t.OriginTokenItem.token_key.does_not_exist()))

    def release_origin_token(self, key: str) -> None:
        t.OriginTokenItem(key).delete()


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
