"""`make run`: the API on http://127.0.0.1:8000 against a DynamoDB Local that keeps its data.

Starts DynamoDB Local (data in .data/ddb) and the local queue endpoint (tools/sqs_local.py),
creates the tables, the queues and an admin, serves the API with `chalice local`, runs the queue
workers (`manage worker`, HEALTHCODE_LOCAL_WORKERS of them) and the scheduled jobs on their
schedules, since `chalice local` does neither. Ctrl-C (or SIGTERM) stops all of it.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

import dynamodb_local as ddb
import sqs_local

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".data"
DB_DIR = DATA_DIR / "ddb"
HOST = "127.0.0.1"
ADMIN_PHONE = "13800000000"
FIRST_RUN_DELAY = 5.0  # seconds after the API is up
JOB_TIMEOUT = 900.0  # the Lambda limit: a job running longer would fail in AWS too
CHALICE_READY_TIMEOUT = 60.0


def say(message: str) -> None:
    print(f"[devserver] {message}", flush=True)


def manage_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "chalicelib.manage", *args]


def lock_data_dir() -> IO[str]:
    """Hold a lock on .data for as long as we run: two servers must not share one database."""
    DB_DIR.mkdir(parents=True, exist_ok=True)
    lock = open(DATA_DIR / "devserver.lock", "w")  # held open until we exit
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit(f"another `make run` is using {DATA_DIR}: stop it first") from None
    return lock


def check_port_free(port: int) -> None:
    with socket.socket() as sock:
        # Same option as the server, so a socket of a just-stopped run does not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            raise SystemExit(f"port {port} is in use: stop what uses it or pass --port") from None


def manage(env: dict[str, str], *args: str) -> None:
    """Run a `chalicelib.manage` command, showing its output; stop if it fails."""
    say(f"manage {' '.join(args)}")
    code = subprocess.run(manage_command(*args), cwd=ROOT, env=env, check=False).returncode
    if code != 0:
        raise SystemExit(f"`python -m chalicelib.manage {' '.join(args)}` failed (exit {code})")


def start_chalice(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`chalice local`'s server through tools/local_api.py: unknown paths and methods answer as
    API Gateway's do (404 not_found)."""
    options = ["--stage", "local", "--host", HOST, "--port", str(port)]
    say(f"local_api {' '.join(options)}")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "local_api.py"), *options],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        **ddb.child_options(),
    )


def wait_for_port(process: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"chalice local exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"chalice local did not listen on port {port} within {timeout:.0f} s")


def start_workers(env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    """Queue workers: each consumes the task queue as the SQS handler does in AWS."""
    say(f"{count} queue workers")
    return [
        subprocess.Popen(
            manage_command("worker"),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            **ddb.child_options(),
        )
        for _ in range(count)
    ]


def load_schedules() -> dict[str, int]:
    """Job name -> interval in seconds: the same table the Chalice schedules follow."""
    sys.path.insert(0, str(ROOT))
    schedules: dict[str, int] = importlib.import_module("chalicelib.services.jobs").SCHEDULES
    return dict(schedules)


class Scheduler(threading.Thread):
    """Runs `manage run-job NAME` for every job soon after start, then every interval.

    Jobs run one at a time, each in its own process group so that stop() ends it whole.
    """

    def __init__(self, schedules: dict[str, int], env: dict[str, str]) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.schedules = schedules
        self.env = env
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._job: subprocess.Popen[bytes] | None = None

    def run(self) -> None:
        due = {name: time.monotonic() + FIRST_RUN_DELAY for name in self.schedules}
        while True:
            name = min(due, key=due.__getitem__)
            if self._stopping.wait(max(0.0, due[name] - time.monotonic())):
                return
            try:
                self._run_job(name)
            except Exception as error:  # keep scheduling the other jobs
                say(f"job {name}: could not run ({error!r})")
            due[name] = time.monotonic() + self.schedules[name]

    def _run_job(self, name: str) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            say(f"job {name}: started")
            job = self._job = subprocess.Popen(
                manage_command("run-job", name),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        started = time.monotonic()
        try:
            job.wait(JOB_TIMEOUT)
        except subprocess.TimeoutExpired:
            say(f"job {name}: still running after {JOB_TIMEOUT:.0f} s, stopping it")
            ddb.stop_process_group(job)
        with self._lock:
            self._job = None
            if not self._stopping.is_set():
                elapsed = time.monotonic() - started
                say(f"job {name}: exit code {job.returncode} after {elapsed:.1f} s")

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            job = self._job
        if job is not None:
            ddb.stop_process_group(job)
        self.join(timeout=2 * ddb.STOP_TIMEOUT + 1)


def print_banner(
    port: int, db: ddb.DynamoDBLocal, sqs: sqs_local.LocalSqs, schedules: dict[str, int]
) -> None:
    jobs = ", ".join(f"{name} every {_duration(every)}" for name, every in schedules.items())
    lines = [
        f"API        http://{HOST}:{port}/",
        f"Pages      http://{HOST}:{port}/app/ (holder) · /app/scan (checker) · /app/console"
        " (authority)",
        f"Admin      phone {ADMIN_PHONE} (see create-admin above)",
        f"Data       {DB_DIR}  (delete {DATA_DIR} while stopped to start over)",
        f"DynamoDB   {db.endpoint}  (AWS_ENDPOINT_URL_DYNAMODB; listens on all interfaces)",
        f"Queue      {sqs.endpoint}  (AWS_ENDPOINT_URL_SQS; in memory: queued work is lost"
        " on stop, the daily recompare catches up)",
        f"Jobs       {jobs}; first run in {FIRST_RUN_DELAY:.0f} s",
        "Stop       Ctrl-C",
    ]
    rule = "=" * max(len(line) + 4 for line in lines)
    print("\n".join([rule, *(f"  {line}" for line in lines), rule]), flush=True)


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def supervise(
    chalice: subprocess.Popen[bytes],
    db: ddb.DynamoDBLocal,
    workers: list[subprocess.Popen[bytes]],
) -> int:
    """Wait until Ctrl-C/SIGTERM (KeyboardInterrupt) or until chalice, a worker or the
    database dies."""
    while True:
        if chalice.poll() is not None:
            say(f"chalice local exited with code {chalice.returncode}")
            return chalice.returncode or 1
        for worker in workers:
            if worker.poll() is not None:
                say(f"a queue worker exited with code {worker.returncode}")
                return worker.returncode or 1
        if db.process.poll() is not None:
            say(f"DynamoDB Local exited with code {db.process.returncode}:\n{db.log_tail()}")
            return 1
        time.sleep(0.5)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _still_stopping(signum: int, frame: FrameType | None) -> None:
    say("still stopping...")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    port = parser.parse_args(argv).port

    # Both signals end in the `finally` below; SIGINT explicitly, in case it was inherited
    # as ignored (as for background jobs of a non-interactive shell).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    _lock = lock_data_dir()
    check_port_free(port)
    db: ddb.DynamoDBLocal | None = None
    sqs: sqs_local.LocalSqs | None = None
    chalice: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = []
    scheduler: Scheduler | None = None
    try:
        db = ddb.start(db_path=DB_DIR)
        say(f"DynamoDB Local on {db.endpoint}, data in {DB_DIR}")
        sqs = sqs_local.start()
        say(f"queue endpoint on {sqs.endpoint}")
        env = ddb.local_environ(
            db.port,
            {"HEALTHCODE_STAGE": "local", "PYTHONUNBUFFERED": "1", **sqs_local.env_for(sqs)},
        )
        manage(env, "create-tables")
        manage(env, "create-admin", "--phone", ADMIN_PHONE, "--if-none")
        chalice = start_chalice(env, port)
        wait_for_port(chalice, port, CHALICE_READY_TIMEOUT)
        workers = start_workers(env, int(env.get("HEALTHCODE_LOCAL_WORKERS", "2")))
        # Threads only from here on: the children above were forked with a preexec_fn.
        schedules = load_schedules()
        scheduler = Scheduler(schedules, env)
        scheduler.start()
        print_banner(port, db, sqs, schedules)
        return supervise(chalice, db, workers)
    except KeyboardInterrupt:
        say("stopping")
        return 0
    finally:
        signal.signal(signal.SIGINT, _still_stopping)
        signal.signal(signal.SIGTERM, _still_stopping)
        if scheduler is not None:
            scheduler.stop()
        for worker in workers:
            ddb.stop_process_group(worker)
        if chalice is not None:
            ddb.stop_process_group(chalice)
        if sqs is not None:
            sqs.stop()
        if db is not None:
            db.stop()
        say("stopped")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
