"""Management commands: `python -m chalicelib.manage <command>`.

They read the same configuration as the app (HEALTHCODE_* variables; the stage's variables from
.chalice/config.json when HEALTHCODE_STAGE names a stage and they are not already set)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from chalicelib import config


def _stage_environment() -> None:
    """Apply the stage's environment variables from .chalice/config.json, as the app gets them;
    variables already set (by an operator or the runner) win."""
    path = config.PROJECT_ROOT / ".chalice" / "config.json"
    if not path.exists():
        return
    settings = json.loads(path.read_text())
    stage = os.environ.get("HEALTHCODE_STAGE", "local")
    merged = {
        **settings.get("environment_variables", {}),
        **settings.get("stages", {}).get(stage, {}).get("environment_variables", {}),
    }
    for name, value in merged.items():
        os.environ.setdefault(name, value)


def _context():  # type: ignore[no-untyped-def]
    from chalicelib.services.context import default

    return default()


def create_tables(args: argparse.Namespace) -> int:
    from chalicelib.storage.tables import create_all

    created = create_all()
    print(f"created {len(created)} tables" + (f": {', '.join(created)}" if created else ""))
    if config.is_local():  # in AWS, infra/ makes the queues
        from chalicelib.storage.sqs import create_queues

        print(f"queues: {', '.join(create_queues())}")
    return 0


def worker(args: argparse.Namespace) -> int:
    """A local queue worker: what the SQS handler does in AWS, until SIGTERM (or, with
    --until-empty, until the queue is empty)."""
    import signal

    from chalicelib.services.tasks import drain

    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    handled = drain(_context(), stop=lambda: bool(stopping), idle_exit=args.until_empty)
    print(f"worker: {handled} messages handled")
    return 0


def create_admin(args: argparse.Namespace) -> int:
    from chalicelib.domain.clock import utcnow
    from chalicelib.services import people
    from chalicelib.validation import InvalidValue, normalize_phone

    ctx = _context()
    try:
        phone = normalize_phone(args.phone)
    except InvalidValue as bad:
        print(f"error: {bad.message} / {bad.message_zh}", file=sys.stderr)
        return 2
    if args.if_none and people.admins(ctx.store):
        print("an admin exists already; nothing to do")
        return 0
    account = people.create_admin(ctx, phone, utcnow())
    print(f"admin ready: phone {phone}, account {account.account_id}")
    return 0


def run_job(args: argparse.Namespace) -> int:
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.errors import NotFound
    from chalicelib.services import jobs

    try:
        report = jobs.run(_context(), args.name, utcnow())
    except NotFound as missing:
        print(
            f"error: {missing.message} (known: {', '.join(sorted(jobs.JOBS)) or 'none'})",
            file=sys.stderr,
        )
        return 2
    print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return 0


def rotate_keys(args: argparse.Namespace) -> int:
    from chalicelib.domain.clock import utcnow
    from chalicelib.security.signing import PURPOSES
    from chalicelib.services.keys import rotate

    ctx = _context()
    for purpose in args.purpose or PURPOSES:
        key = rotate(ctx.store, purpose, utcnow())
        print(
            f"{purpose}: new signing key {key.kid}; earlier keys stay published until their "
            "tokens have expired"
        )
    return 0


def revoke_key(args: argparse.Namespace) -> int:
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.errors import NotFound
    from chalicelib.services.keys import revoke

    ctx = _context()
    try:
        purpose, fresh = revoke(ctx.store, args.kid, utcnow())
    except NotFound:
        print(f"no signing key {args.kid}", file=sys.stderr)
        return 1
    print(
        f"{purpose}: key {args.kid} revoked: unpublished, and every token it signed is refused "
        "(revoked_key) by each instance within HEALTHCODE_KEY_CACHE_SECONDS"
    )
    if fresh is not None:
        print(f"{purpose}: new signing key {fresh.kid}")
    if purpose == "place" and ctx.store.places.key_in_use(args.kid):
        print("places still show codes signed by it: register them again", file=sys.stderr)
    return 0


def replay_erasures(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from chalicelib.domain.clock import SHANGHAI, utcnow
    from chalicelib.services.erase import replay

    try:
        since = datetime.fromisoformat(args.since)
    except ValueError:
        print(f"--since: not an ISO date or time: {args.since!r}", file=sys.stderr)
        return 2
    if since.tzinfo is None:  # a date, or a time without offset: Asia/Shanghai
        since = since.replace(tzinfo=SHANGHAI)
    counts = replay(_context(), since.astimezone(UTC), utcnow())
    print(json.dumps(counts))
    return 0


def verify_history(args: argparse.Namespace) -> int:
    from chalicelib.services.history import verify_chains

    report = verify_chains(_context().store)
    for person_id, seqs in sorted(report["broken"].items()):
        print(f"BROKEN person {person_id}: entries {', '.join(map(str, seqs))}")
    print(
        f"checked {report['persons']} persons, {report['entries']} entries: "
        f"{len(report['broken'])} broken chains"
    )
    return 1 if report["broken"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("create-tables", help="create the tables that do not exist yet")
    admin = commands.add_parser("create-admin", help="give a phone number the admin role")
    admin.add_argument("--phone", required=True)
    admin.add_argument("--if-none", action="store_true", help="only when no admin exists yet")
    work = commands.add_parser("worker", help="consume the task queue (local stages)")
    work.add_argument("--until-empty", action="store_true", help="stop when the queue is empty")
    job = commands.add_parser("run-job", help="run a scheduled job now")
    job.add_argument("name")
    rotate = commands.add_parser("rotate-keys", help="add new signing keys")
    rotate.add_argument("--purpose", action="append", choices=["code", "access", "place"])
    revoke = commands.add_parser(
        "revoke-key", help="pull a leaked signing key at once (rotate-keys keeps an overlap)"
    )
    revoke.add_argument("kid")
    replay = commands.add_parser(
        "replay-erasures",
        help="after a point-in-time restore: erase again who was erased since the restore point",
    )
    replay.add_argument("--since", required=True, help="the restore point (ISO date or time)")
    commands.add_parser("verify-history", help="check every colour history's hash chain")
    args = parser.parse_args(argv)
    _stage_environment()
    handlers = {
        "create-tables": create_tables,
        "create-admin": create_admin,
        "run-job": run_job,
        "worker": worker,
        "rotate-keys": rotate_keys,
        "revoke-key": revoke_key,
        "replay-erasures": replay_erasures,
        "verify-history": verify_history,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
