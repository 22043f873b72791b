"""Signing keys shared by every function instance; the private half encrypted."""

from __future__ import annotations

import json
from datetime import datetime

from pynamodb.expressions.update import Action

from chalicelib.domain.entities import SigningKey
from chalicelib.domain.errors import Conflict
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, held


class DynamoKeys(Repository):
    def of_purpose(self, purpose: str) -> list[SigningKey]:
        keys = [_signing_key(item) for item in t.KeyItem.query(purpose, consistent_read=True)]
        return sorted(keys, key=lambda k: k.created_at)

    def add(self, key: SigningKey) -> None:
        item = t.KeyItem(
            key.purpose,
            key.kid,
            private_enc=encrypt(key.private_pem.decode(), f"keys:{key.purpose}:{key.kid}"),
            public_jwk=json.dumps(key.public_jwk, sort_keys=True),
            created_at=key.created_at,
            retire_at=key.retire_at,
        )
        if not held(lambda: item.save(condition=t.KeyItem.kid.does_not_exist())):
            raise Conflict()

    def revoke(self, purpose: str, kid: str, at: datetime) -> bool:
        item = t.KeyItem(purpose, kid)
        actions: list[Action] = [t.KeyItem.revoked_at.set(at), t.KeyItem.retire_at.set(at)]
        return held(lambda: item.update(actions=actions, condition=t.KeyItem.kid.exists()))

    def retire(self, purpose: str, kid: str, retire_at: datetime) -> None:
        t.KeyItem(purpose, kid).update(
            actions=[t.KeyItem.retire_at.set(retire_at)], condition=t.KeyItem.kid.exists()
        )


def _signing_key(item: t.KeyItem) -> SigningKey:
    return SigningKey(
        kid=item.kid,
        purpose=item.purpose,
        private_pem=decrypt(item.private_enc, f"keys:{item.purpose}:{item.kid}").encode(),
        public_jwk=json.loads(item.public_jwk),
        created_at=item.created_at,
        retire_at=item.retire_at,
        revoked_at=item.revoked_at,
    )
