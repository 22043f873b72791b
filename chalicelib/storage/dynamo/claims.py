"""Claims against ID squatting, and the transfer of a squatted person to the ID's owner."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.entities import Claim, Link, Person
from chalicelib.domain.errors import Conflict
from chalicelib.domain.history import HistoryEntry
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get
from chalicelib.storage.dynamo.family import link_item
from chalicelib.storage.dynamo.history import history_item
from chalicelib.storage.dynamo.transactions import Transaction


def _ctx(claim_id: str, field: str) -> str:
    return f"claims:{field}:{claim_id}"


class DynamoClaims(Repository):
    def add(self, claim: Claim) -> None:
        claim_item(claim).save(condition=t.ClaimItem.claim_id.does_not_exist())

    def get(self, claim_id: str) -> Claim | None:
        item = get(t.ClaimItem, claim_id, consistent_read=True)
        return _claim(item) if item else None

    def with_status(self, status: str, limit: int) -> list[Claim]:
        return [_claim(item) for item in t.ClaimItem.by_status.query(status, limit=limit)]

    def transfer(
        self,
        claim: Claim,
        person: Person,
        links: list[Link],
        entry: HistoryEntry,
        at: datetime,
    ) -> None:
        C, L, M, P, A, H = (
            t.ClaimItem,
            t.LinkItem,
            t.MarkerItem,
            t.PersonItem,
            t.AccountItem,
            t.HistoryItem,
        )
        pid = person.person_id
        tx = Transaction()
        tx.put(claim_item(claim), condition=C.status == "open", fails=Conflict)
        for link in links:
            tx.delete(L(link.account_id, pid), condition=L.person_id.exists(), fails=Conflict)
            if link.relation == "self":
                tx.delete(M(f"self:{link.account_id}"), condition=M.target == pid, fails=Conflict)
            else:
                tx.update(A(link.account_id), [A.dependents.add(-1)])
        owner = Link(claim.account_id, pid, "self", at)
        tx.put(link_item(owner), condition=L.person_id.does_not_exist(), fails=Conflict)
        marker = M(f"self:{claim.account_id}", target=pid, created_at=at)
        tx.put(marker, condition=M.key.does_not_exist(), fails=Conflict)
        tx.update(
            P(pid),
            [
                P.self_held.set(True),
                P.guardians.set(0),
                P.paper_not_before.set(at),
                P.version.set(person.version + 1),
                P.history_seq.set(entry.seq),
                P.history_hash.set(entry.hash),
            ],
            condition=P.version == person.version,
            fails=Conflict,
        )
        tx.put(history_item(entry), condition=H.seq.does_not_exist(), fails=Conflict)
        tx.commit(self._db.connection())

    def reject(self, claim: Claim) -> None:
        tx = Transaction()
        tx.put(claim_item(claim), condition=t.ClaimItem.status == "open", fails=Conflict)
        tx.commit(self._db.connection())


def claim_item(claim: Claim) -> t.ClaimItem:
    cid = claim.claim_id
    return t.ClaimItem(
        cid,
        account_id=claim.account_id,
        id_type=claim.id_type,
        id_number_enc=encrypt(claim.id_number, _ctx(cid, "id_number")),
        id_key=claim.id_key,
        name_enc=encrypt(claim.name, _ctx(cid, "name")),
        message_enc=encrypt(claim.message, _ctx(cid, "message")),
        status=claim.status,
        created_at=claim.created_at,
        decision=claim.decision,
        note_enc=encrypt(claim.note, _ctx(cid, "note")) if claim.note else None,
        resolved_by=claim.resolved_by,
        resolved_at=claim.resolved_at,
    )


def _claim(item: t.ClaimItem) -> Claim:
    cid = item.claim_id
    return Claim(
        claim_id=cid,
        account_id=item.account_id,
        id_type=item.id_type,
        id_number=decrypt(item.id_number_enc, _ctx(cid, "id_number")),
        id_key=item.id_key,
        name=decrypt(item.name_enc, _ctx(cid, "name")),
        message=decrypt(item.message_enc, _ctx(cid, "message")),
        created_at=item.created_at,
        status=item.status,
        decision=item.decision,
        note=decrypt(item.note_enc, _ctx(cid, "note")) if item.note_enc else None,
        resolved_by=item.resolved_by,
        resolved_at=item.resolved_at,
    )
