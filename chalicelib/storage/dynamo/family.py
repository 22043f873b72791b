"""Who may act for whom (为家人代办): links (account, person), one-time share codes (consent), and
the counts that bound a guardian's family members and a person's guardians."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.entities import Link
from chalicelib.domain.errors import (
    AlreadyBound,
    InvalidShareCode,
    LastGuardian,
    NotFound,
    TooManyDependents,
    TooManyGuardians,
)
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.accounts import count_dependent
from chalicelib.storage.dynamo.common import Repository, get
from chalicelib.storage.dynamo.transactions import Transaction


class DynamoFamily(Repository):
    def link(self, account_id: str, person_id: str) -> Link | None:
        item = get(t.LinkItem, account_id, person_id, consistent_read=True)
        return _link(item) if item else None

    def links_of(self, account_id: str) -> list[Link]:
        return [_link(item) for item in t.LinkItem.query(account_id, consistent_read=True)]

    def links_to(self, person_id: str) -> list[Link]:
        keys = [(item.account_id, item.person_id) for item in t.LinkItem.by_person.query(person_id)]
        found = t.LinkItem.batch_get(keys, consistent_read=True) if keys else []
        return sorted((_link(item) for item in found), key=lambda link: link.account_id)

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

    def bind(
        self, link: Link, *, share_key: str, now: datetime, max_dependents: int, max_guardians: int
    ) -> None:
        M, P, L = t.MarkerItem, t.PersonItem, t.LinkItem
        share = get(M, share_key, consistent_read=True)
        if share is None or share.issued_by is None or share.target != link.person_id:
            raise InvalidShareCode()
        if share.issued_by == link.account_id:
            raise AlreadyBound()  # one's own share code: the issuer acts for the person already
        guardians_below = P.guardians.does_not_exist() | (P.guardians < max_guardians)
        tx = Transaction()
        # Consent holds only while whoever gave it still acts for the person.
        tx.check(
            L,
            share.issued_by,
            link.person_id,
            condition=L.person_id.exists(),
            fails=InvalidShareCode,
        )
        tx.delete(
            M(share_key),
            condition=(M.target == link.person_id)
            & (M.issued_by == share.issued_by)
            & (M.expires_at > int(now.timestamp())),
            fails=InvalidShareCode,
        )
        tx.put(link_item(link), condition=L.person_id.does_not_exist(), fails=AlreadyBound)
        count_dependent(tx, link.account_id, max_dependents, fails=TooManyDependents)
        tx.update(
            P(link.person_id),
            [P.guardians.add(1)],
            condition=P.person_id.exists() & guardians_below,
            fails=TooManyGuardians,
        )
        tx.commit(self._db.connection())

    def unbind(self, account_id: str, person_id: str) -> None:
        L, P, A = t.LinkItem, t.PersonItem, t.AccountItem
        tx = Transaction()
        tx.delete(
            L(account_id, person_id),
            condition=L.relation.exists() & (L.relation != "self"),
            fails=NotFound,
        )
        tx.update(
            A(account_id),
            [A.dependents.add(-1)],
            condition=A.account_id.exists(),
            fails=LastGuardian,  # as before the split: only the link's absence is NotFound
        )
        tx.update(
            P(person_id),
            [P.guardians.add(-1)],
            condition=(P.guardians > 1)
            | (P.self_held == True)  # noqa: E712
            | P.self_held.does_not_exist(),  # stored before family: their own code
            fails=LastGuardian,
        )
        tx.commit(self._db.connection())


def link_item(link: Link) -> t.LinkItem:
    return t.LinkItem(
        link.account_id, link.person_id, relation=link.relation, created_at=link.created_at
    )


def _link(item: t.LinkItem) -> Link:
    return Link(item.account_id, item.person_id, item.relation, item.created_at)
