"""Benchmark 2: the cold import of the Lambda's `app` module against that of boto3, each in a
fresh interpreter, timed inside the child; plus which heavy libraries `import app` pulled in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.stats import median, ms

TARGET = 1.15
HEAVY = ("pynamodb", "botocore", "boto3", "jwt", "cryptography", "segno", "pydantic", "chalice")
ROOT = Path(__file__).resolve().parent.parent
# What a verify request imports lazily on top of `app` (informational: not in the ratio).
VERIFY_PATH = ("chalicelib.services.verify", "chalicelib.storage.dynamo", "chalicelib.api.schemas")
CHILD = """\
import importlib, json, sys, time
start = time.perf_counter()
import {module}
seconds = time.perf_counter() - start
heavy = [name for name in {heavy!r} if name in sys.modules]
modules = len(sys.modules)
start = time.perf_counter()
for name in {then!r}:
    importlib.import_module(name)
then = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "heavy": heavy, "modules": modules, "then": then}}))
"""


def _import(module: str) -> dict[str, Any]:
    code = CHILD.format(module=module, heavy=HEAVY, then=VERIFY_PATH if module == "app" else ())
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`import {module}` failed in a child:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(times: int = 7) -> dict[str, Any]:
    _import("app"), _import("boto3")  # warm the page cache and byte-code caches first
    runs: dict[str, list[dict[str, Any]]] = {"app": [], "boto3": []}
    for _ in range(times):
        for module in runs:
            runs[module].append(_import(module))
    app_s = median([r["seconds"] for r in runs["app"]])
    boto3_s = median([r["seconds"] for r in runs["boto3"]])
    ratio = app_s / boto3_s
    last = runs["app"][-1]
    return {
        "runs": times,
        "app_ms": ms(app_s),
        "boto3_ms": ms(boto3_s),
        "ratio": round(ratio, 3),
        "target": TARGET,
        "pass": ratio <= TARGET,
        "app_loaded": last["heavy"],
        "verify_path_imports_ms": ms(median([r["then"] for r in runs["app"]])),
        "app_modules": last["modules"],
        "boto3_modules": runs["boto3"][-1]["modules"],
    }
