"""`make infra-check`: package the app as Chalice does for CloudFormation, merge infra/'s app
templates into it, write the stack's template, and lint it with cfn-lint. Offline.

    python tools/infra_check.py [--stage dev] [--stage prod] [--out build/infra]
                                [--with-dependencies] [--no-lint]

Writes `<out>/<stage>/template.json`; with `--with-dependencies`, also the `deployment.zip` it
names, so that the folder is what `aws cloudformation package` takes (infra/README.md).

Without `--with-dependencies` (the check), Chalice's own `chalice package` command runs with an
empty zip in place of the code and its dependencies: building that zip needs the package registry
(or chalice's cache, .chalice/deployments/), and the template is the same byte for byte.

`chalice package --merge-template` is not used: it takes one file (the app has three), merges an
intrinsic function into the one it replaces (`{"Fn::Sub": ..., "Fn::GetAtt": ...}`), and its
YAML loader registers CloudFormation's tags on PyYAML's SafeLoader for the whole process. The
merge here is its deep merge (a mapping merges key by key, anything else replaces) with an
intrinsic function replacing whole, and two guards: a template's resource without a `Type`
patches one that Chalice wrote (and must find it), and a resource with a `Type` must be new.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
# The app's stack templates, merged in this order. infra/tables.yaml is a stack of its own.
OVERLAYS = ("api-gateway-responses.yaml", "queue.yaml", "alarms.yaml")
# The region cfn-lint checks against (the project's default, config.aws_region()) and the one
# `chalice package` needs to run at all; nothing is sent anywhere.
REGION = "cn-north-1"

Template = dict[str, Any]


class MergeError(ValueError):
    pass


def _bin(name: str) -> str:
    """A console script of this interpreter's environment (the venv's chalice, cfn-lint)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", REGION)
    env.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    return env


def package(stage: str, out: Path, dependencies: bool = False) -> Template:
    """`chalice package --pkg-format cloudformation --stage STAGE OUT`: sam.json and, with
    `dependencies`, the deployment.zip to deploy. Without them (the check) the command runs all
    the same, with an empty zip for the code: building the dependencies' zip needs the package
    registry (or chalice's cache of it, .chalice/deployments/), and the template does not
    depend on it."""
    if out.exists():
        shutil.rmtree(out)
    args = ["package", "--pkg-format", "cloudformation", "--stage", stage, str(out)]
    if dependencies:
        command = [_bin("chalice"), *args]
    else:  # this same file, in a process of its own: chalice's CLI changes directory and env
        command = [sys.executable, __file__, "--chalice-without-dependencies", *args]
    subprocess.run(command, cwd=ROOT, env=_env(), check=True, capture_output=True)
    loaded: Template = json.loads((out / "sam.json").read_text(encoding="utf-8"))
    return loaded


def _chalice_without_dependencies(args: list[str]) -> int:
    """Chalice's own `chalice ARGS`, with an empty deployment package for the code."""
    import zipfile
    from unittest import mock

    from chalice.cli import cli
    from chalice.deploy.packager import LambdaDeploymentPackager

    with tempfile.TemporaryDirectory(prefix="chalice-code-") as scratch:
        empty = Path(scratch) / "deployment.zip"
        zipfile.ZipFile(empty, "w").close()

        def empty_zip(self: Any, project_dir: str, python_version: str) -> str:
            return str(empty)

        with mock.patch.object(LambdaDeploymentPackager, "create_deployment_package", empty_zip):
            cli.main(args=args, obj={}, prog_name="chalice", standalone_mode=False)
    return 0


def load_overlay(path: Path) -> Template:
    """A CloudFormation YAML template (short-form tags included) as plain JSON values."""
    from cfnlint.decode import cfn_yaml

    loaded = cfn_yaml.loads(path.read_text(encoding="utf-8"), str(path))
    plain: Template = json.loads(json.dumps(loaded))
    return plain


def _intrinsic(value: Any) -> bool:
    """`{"Ref": ...}`, `{"Fn::GetAtt": ...}`: a value, never merged into another mapping."""
    return (
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in {"Ref", "Condition"} | {f"Fn::{n}" for n in _FUNCTIONS}
    )


_FUNCTIONS = (
    "And Base64 Cidr Equals FindInMap GetAtt GetAZs If ImportValue Join Length Not Or Select "
    "Split Sub ToJsonString Transform"
).split()


def deep_merge(base: Any, overlay: Any) -> Any:
    """Chalice's merge (mappings merge key by key, anything else, lists too, replaces), except
    that an intrinsic function on either side replaces: Chalice's would merge `{"Fn::Sub": ...}`
    and `{"Fn::GetAtt": ...}` into one invalid mapping."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        if _intrinsic(base) or _intrinsic(overlay):
            return overlay
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return overlay


def merge(chalice: Template, overlays: dict[str, Template]) -> Template:
    """`chalice` with every overlay merged into it, in order."""
    merged = chalice
    for name, overlay in overlays.items():
        resources = merged.get("Resources", {})
        for key, resource in overlay.get("Resources", {}).items():
            if "Type" in resource and key in resources:
                raise MergeError(f"{name}: {key} is already in the template; patch it without Type")
            if "Type" not in resource and key not in resources:
                raise MergeError(f"{name}: {key} patches a resource the template does not have")
        for section in ("Parameters", "Conditions", "Outputs"):
            clash = set(overlay.get(section, {})) & set(merged.get(section, {}))
            if clash:
                raise MergeError(f"{name}: {section} {sorted(clash)} defined twice")
        merged = deep_merge(merged, {k: v for k, v in overlay.items() if k != "Description"})
    return merged


def build(stage: str, out: Path, dependencies: bool = False) -> Path:
    """The merged template of `stage`, written to `out/<stage>/template.json` (with
    `dependencies`, the deployment.zip it names beside it)."""
    target = out / stage
    with tempfile.TemporaryDirectory(prefix="chalice-package-") as scratch:
        packaged = Path(scratch) / "package"
        chalice = package(stage, packaged, dependencies)
        merged = merge(chalice, {name: load_overlay(INFRA / name) for name in OVERLAYS})
        merged["Description"] = f"healthcode {stage}: the app (chalice package + infra/*.yaml)"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        if dependencies:
            shutil.move(str(packaged / "deployment.zip"), target / "deployment.zip")
    template = target / "template.json"
    template.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return template


def lint(template: Path) -> int:
    """cfn-lint's exit code (0: no error, warning or note)."""
    command = [_bin("cfn-lint"), "--regions", REGION, "--", str(template)]
    return subprocess.run(command, cwd=ROOT, env=_env()).returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--chalice-without-dependencies"]:
        return _chalice_without_dependencies(argv[1:])
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stage", action="append", help="a Chalice stage (repeatable; dev)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "infra")
    parser.add_argument(
        "--with-dependencies",
        action="store_true",
        help="build the deployment.zip to deploy too (needs the package registry once)",
    )
    parser.add_argument("--no-lint", action="store_true")
    args = parser.parse_args(argv)
    failed = 0
    for stage in args.stage or ["dev"]:
        try:
            template = build(stage, args.out, args.with_dependencies)
        except subprocess.CalledProcessError as error:
            sys.stderr.write(error.stdout.decode(errors="replace"))
            sys.stderr.write(error.stderr.decode(errors="replace"))
            print(f"infra-check: chalice package --stage {stage} failed", file=sys.stderr)
            return 1
        except MergeError as error:
            print(f"infra-check: {error}", file=sys.stderr)
            return 1
        code = 0 if args.no_lint else lint(template)
        outcome = "not linted" if args.no_lint else "cfn-lint " + ("ok" if code == 0 else "failed")
        print(f"infra-check: {template}: {outcome}")
        failed = failed or code
    return failed


if __name__ == "__main__":
    sys.exit(main())
