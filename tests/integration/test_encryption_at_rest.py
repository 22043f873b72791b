"""What DynamoDB actually holds: no personal field in clear text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3

from chalicelib import config
from chalicelib.storage.dynamo import DynamoStore
from tests.integration.test_store_contract import a_person, store_person

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_names_ids_phones_addresses_and_declarations_are_ciphertext(dynamo_tables: str) -> None:
    store = DynamoStore()
    person = store_person(store, a_person(), ("id:x" + a_person().person_id,))
    client = boto3.client("dynamodb", region_name=config.aws_region())
    item = client.get_item(
        TableName=f"{dynamo_tables}persons", Key={"person_id": {"S": person.person_id}}
    )["Item"]
    raw = json.dumps(item, ensure_ascii=False)
    for secret in (person.name, person.id_number, person.phone, person.address, "420100"):
        assert secret not in raw
    assert item["color"] == {"S": "yellow"}
