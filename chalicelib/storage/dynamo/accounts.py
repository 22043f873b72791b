"""Login codes per phone, and accounts with their phone markers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from pynamodb.expressions.update import Action

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Account
from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Role
from chalicelib.domain.otp import OtpState
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import (
    Page,
    Repository,
    day_key,
    day_shard,
    delete_day,
    delete_page_still_on_day,
    get,
    held,
)
from chalicelib.storage.dynamo.transactions import Transaction


class DynamoLogins(Repository):
    def get(self, phone_key: str) -> tuple[OtpState | None, int]:
        item = get(t.OtpItem, phone_key, consistent_read=True)
        if item is None:
            return None, 0
        return _state(item), int(item.version)

    def save(self, phone_key: str, state: OtpState, expected_version: int) -> None:
        newest = max((state.expires_at, *state.sent_at))
        item = t.OtpItem(
            phone_key,
            code_hash=state.code_hash,
            expires_at=state.expires_at,
            attempts=state.attempts,
            sent_at=list(state.sent_at),
            version=expected_version + 1,
            ttl=newest + 3600,
            day_shard=day_shard(_day_of(newest), phone_key, "logins"),
        )
        condition = (
            t.OtpItem.phone_key.does_not_exist()
            if expected_version == 0
            else t.OtpItem.version == expected_version
        )
        if not held(lambda: item.save(condition=condition)):
            raise Conflict()

    def count_try(self, phone_key: str, max_attempts: int, now: int) -> OtpState | None:
        Otp = t.OtpItem
        item = Otp(phone_key)
        live = Otp.code_hash.exists() & (Otp.attempts < max_attempts) & (Otp.expires_at > now)
        if not held(lambda: item.update(actions=[Otp.attempts.add(1)], condition=live)):
            return None
        return _state(item)

    def consume(self, phone_key: str, code_hash: str) -> bool:
        Otp = t.OtpItem
        still = Otp.code_hash == code_hash
        taken: list[Action] = [Otp.code_hash.remove()]
        return held(lambda: Otp(phone_key).update(actions=taken, condition=still))

    def delete_page(
        self, day: date, shard: int, after: Page | None, limit: int
    ) -> tuple[int, Page | None]:
        # Only if no login touched it since (which moves it to another day).
        Otp = t.OtpItem
        return delete_page_still_on_day(
            Otp.by_day, Otp.day_shard, lambda k: Otp(k.phone_key), day_key(day, shard), after, limit
        )

    def delete_of_day(self, day: date) -> int:
        return delete_day(self.delete_page, day, "logins")


def _state(item: t.OtpItem) -> OtpState:
    return OtpState(
        code_hash=item.code_hash,
        expires_at=int(item.expires_at),
        attempts=int(item.attempts),
        sent_at=tuple(int(cast(float, x)) for x in item.sent_at),
    )


def _day_of(epoch_seconds: int) -> date:
    return shanghai_date(datetime.fromtimestamp(epoch_seconds, UTC))


class DynamoAccounts(Repository):
    def for_phone(self, phone_key: str) -> Account | None:
        marker = get(t.MarkerItem, f"phone:{phone_key}", consistent_read=True)
        return self.get(marker.target) if marker else None

    def create(self, account: Account, phone_key: str) -> None:
        marker = t.MarkerItem(
            f"phone:{phone_key}", target=account.account_id, created_at=account.created_at
        )
        tx = Transaction()
        tx.put(marker, condition=t.MarkerItem.key.does_not_exist(), fails=Conflict)
        tx.put(
            account_item(account),
            condition=t.AccountItem.account_id.does_not_exist(),
            fails=Conflict,
        )
        tx.commit(self._db.connection())

    def get(self, account_id: str) -> Account | None:
        item = get(t.AccountItem, account_id, consistent_read=True)
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
        if role is Role.CHECKER:
            actions.append(t.AccountItem.staff.set(Role.CHECKER.value))
        item.update(actions=actions, condition=t.AccountItem.account_id.exists())
        return _account(item)

    def checkers(self) -> list[Account]:
        return [_account(item) for item in t.AccountItem.checkers.query(Role.CHECKER.value)]

    def withdraw_checker(self, account_id: str) -> bool:
        A = t.AccountItem
        actions: list[Action] = [
            A.roles.delete({Role.CHECKER.value}),
            A.place_id.remove(),
            A.staff.remove(),
        ]
        return held(
            lambda: A(account_id).update(
                actions=actions, condition=A.roles.contains(Role.CHECKER.value)
            )
        )

    def with_role(self, role: Role, limit: int) -> list[Account]:
        found = t.AccountItem.scan(t.AccountItem.roles.contains(role.value))
        accounts = []
        for item in found:
            accounts.append(_account(item))
            if len(accounts) >= limit:
                break
        return accounts


def account_item(account: Account) -> t.AccountItem:
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


def count_dependent(tx: Transaction, account_id: str, limit: int, fails: type[Exception]) -> None:
    """One more family member for the account, only below `limit`."""
    A = t.AccountItem
    below = A.dependents.does_not_exist() | (A.dependents < limit)
    tx.update(
        A(account_id), [A.dependents.add(1)], condition=A.account_id.exists() & below, fails=fails
    )
