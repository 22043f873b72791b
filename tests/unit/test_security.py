"""Field encryption, blind indexes, pseudonyms, signing keys and tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidTag

from chalicelib.security import fields

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def test_a_ciphertext_does_not_decrypt_in_another_field_or_for_another_person() -> None:
    sealed = fields.encrypt("张三丰", "persons:name:aaaa")
    assert "张" not in sealed
    assert fields.decrypt(sealed, "persons:name:aaaa") == "张三丰"
    with pytest.raises(InvalidTag):
        fields.decrypt(sealed, "persons:address:aaaa")
    with pytest.raises(InvalidTag):
        fields.decrypt(sealed, "persons:name:bbbb")


def test_the_same_value_encrypts_differently_every_time() -> None:
    assert fields.encrypt("x", "c") != fields.encrypt("x", "c")


def test_blind_indexes_are_stable_and_kept_apart_by_kind() -> None:
    assert fields.blind_index("id", "1") == fields.blind_index("id", "1")
    assert fields.blind_index("id", "1") != fields.blind_index("phone", "1")
    assert fields.blind_index("id", "1") != fields.blind_index("id", "2")
    assert len(fields.blind_index("id", "11010519491231002X")) == 64


def test_pseudonyms_differ_per_token_and_resolve_to_the_person() -> None:
    person_id = fields.new_person_id()
    subjects = {fields.pseudonym(person_id) for _ in range(20)}
    assert len(subjects) == 20
    assert all(len(s) == 22 and person_id not in s for s in subjects)
    assert {fields.resolve_pseudonym(s) for s in subjects} == {person_id}


def test_a_subject_that_is_not_ours_is_refused() -> None:
    with pytest.raises(ValueError):
        fields.resolve_pseudonym("short")
