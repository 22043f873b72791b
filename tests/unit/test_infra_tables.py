"""infra/tables.yaml describes exactly the tables and indexes that storage/tables.py declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Sub, !Ref, …) as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


def _declared_tables() -> dict[str, dict[str, Any]]:
    template = yaml.load((ROOT / "infra" / "tables.yaml").read_text(), Loader=_CfnLoader)
    tables = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::DynamoDB::Table":
            props = resource["Properties"]
            base = str(props["TableName"]).removeprefix("healthcode-${Stage}-")
            tables[base] = props
    return tables


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    keys = [(k["AttributeName"], k["KeyType"]) for k in schema]
    return sorted(keys, key=lambda key: key[1] != "HASH")  # HASH first, as DynamoDB wants


def _model_schema(model: Any) -> dict[str, Any]:
    schema = model._get_schema()
    return {
        "keys": _keys(schema["key_schema"]),
        "indexes": {
            index["index_name"]: (
                _keys(index["key_schema"]),
                index["projection"]["ProjectionType"],
            )
            for index in schema.get("global_secondary_indexes", [])
        },
    }


def _models() -> dict[str, Any]:
    from chalicelib.storage import tables

    return {tables._BASE_NAMES[m]: m for m in tables.ALL_TABLES}


def test_every_model_has_a_table_in_infra_and_no_more() -> None:
    assert set(_declared_tables()) == set(_models())


@pytest.mark.parametrize("base", sorted(_models()))
def test_keys_and_indexes_match(base: str) -> None:
    declared = _declared_tables()[base]
    expected = _model_schema(_models()[base])
    assert _keys(declared["KeySchema"]) == expected["keys"]
    indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in declared.get("GlobalSecondaryIndexes", [])
    }
    assert indexes == expected["indexes"]
