"""Brings the global secondary indexes of an existing table in line with its model.

For databases that outlive a code change (DynamoDB Local under `make run` keeps its data in
.data/): `create-tables` adds an index a table lacks and rebuilds one whose keys or projection
changed. In AWS, infra/tables.yaml owns tables and indexes; this never runs there by itself.
"""

from __future__ import annotations

import time
from typing import Any

from pynamodb.models import Model

_POLL_SECONDS = 0.2
_WAIT_SECONDS = 120.0


def _same(live: dict[str, Any], wanted: dict[str, Any]) -> bool:
    def keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
        return sorted((k["AttributeName"], k["KeyType"]) for k in schema)

    live_projection, projection = live.get("Projection", {}), wanted["projection"]
    return (
        keys(live["KeySchema"]) == keys(wanted["key_schema"])
        and live_projection.get("ProjectionType") == projection.get("ProjectionType")
        and sorted(live_projection.get("NonKeyAttributes", []))
        == sorted(projection.get("NonKeyAttributes", []))
    )


def _wait(client: Any, table: str, index: str, gone: bool) -> None:
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        found = client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", [])
        status = next((g.get("IndexStatus") for g in found if g["IndexName"] == index), None)
        if (gone and status is None) or (not gone and status == "ACTIVE"):
            return
        time.sleep(_POLL_SECONDS)
    raise TimeoutError(f"index {table}/{index} did not settle within {_WAIT_SECONDS:.0f} s")


def sync_indexes(model: type[Model]) -> list[str]:
    """Creates or rebuilds the model's global secondary indexes that differ from the live
    table's; returns `table/index` for each one it touched."""
    client = model._get_connection().connection.client
    table = str(model.Meta.table_name)
    described = client.describe_table(TableName=table)["Table"]
    live = {g["IndexName"]: g for g in described.get("GlobalSecondaryIndexes", [])}
    touched = []
    for wanted in model._get_schema()["global_secondary_indexes"]:
        name = wanted["index_name"]
        if name in live and _same(live[name], dict(wanted)):
            continue
        if name in live:
            client.update_table(
                TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}]
            )
            _wait(client, table, name, gone=True)
        create: dict[str, Any] = {
            "IndexName": name,
            # pynamodb lists the keys by name; UpdateTable wants the hash key first.
            "KeySchema": sorted(wanted["key_schema"], key=lambda k: k["KeyType"] != "HASH"),
            "Projection": wanted["projection"],
        }
        if described.get("BillingModeSummary", {}).get("BillingMode") != "PAY_PER_REQUEST":
            create["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        client.update_table(
            TableName=table,
            AttributeDefinitions=wanted["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[{"Create": create}],
        )
        _wait(client, table, name, gone=False)
        touched.append(f"{table}/{name}")
    return touched
