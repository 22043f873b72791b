"""Feedback and complaints about a colour (反馈与投诉 / 纠错); messages and reasons encrypted."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.entities import Appeal
from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Color, Record
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get
from chalicelib.storage.dynamo.epidemic import record_item
from chalicelib.storage.dynamo.transactions import Transaction


class DynamoAppeals(Repository):
    def add(self, appeal: Appeal) -> None:
        appeal_item(appeal).save(condition=t.AppealItem.appeal_id.does_not_exist())

    def get(self, appeal_id: str) -> Appeal | None:
        item = get(t.AppealItem, appeal_id, consistent_read=True)
        return _appeal(item) if item else None

    def with_status(
        self, status: str, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[Appeal]:
        A = t.AppealItem
        start = (
            None
            if after is None
            else {
                "status": {"S": status},
                "created_at": {"S": A.created_at.serialize(after[0])},
                "appeal_id": {"S": after[1]},
            }
        )
        found = A.by_status.query(status, limit=limit, last_evaluated_key=start)
        return [_appeal(item) for item in found]

    def resolve(
        self, appeal: Appeal, cleared: tuple[str, Record] | None = None, *, at: datetime
    ) -> None:
        tx = Transaction()
        # Conflict: resolved meanwhile, or the cleared record's id is taken.
        tx.put(appeal_item(appeal), condition=t.AppealItem.status == "open", fails=Conflict)
        if cleared is not None:
            item = record_item(cleared[0], cleared[1], by=appeal.resolved_by or "", at=at)
            tx.put(item, condition=t.RecordItem.record_id.does_not_exist(), fails=Conflict)
        tx.commit(self._db.connection())


def appeal_item(appeal: Appeal) -> t.AppealItem:
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
