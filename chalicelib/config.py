"""Every environment read, as small functions. Nothing else reads os.environ.

Values are read when used, never at import time: Chalice's test client swaps the environment per
request, and Lambda may reuse a process across configuration changes only on redeploy.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_ISSUER_REGIONS = {"shandong": "370000", "hubei": "420000", "hainan": "460000"}


def _get(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int) -> int:
    return int(_get(name, str(default)))


def stage() -> str:
    """`local`, `dev` or `prod`."""
    return _get("HEALTHCODE_STAGE", "local")


def is_local() -> bool:
    return stage() == "local"


def table_prefix() -> str:
    return _get("HEALTHCODE_TABLE_PREFIX", f"healthcode-{stage()}-")


def aws_region() -> str:
    return _get("AWS_REGION", _get("AWS_DEFAULT_REGION", "cn-north-1"))


def profile() -> str:
    """The provincial policy in force (shandong, hubei, hainan). An operator's
    HEALTHCODE_PROFILE wins over the stage's HEALTHCODE_STAGE_PROFILE (.chalice/config.json),
    which Chalice re-applies on every request."""
    return _get("HEALTHCODE_PROFILE", _get("HEALTHCODE_STAGE_PROFILE", "shandong"))


def issuer() -> str:
    """Our code issuer id, as partners see it in the `iss` claim."""
    return _get("HEALTHCODE_ISSUER", f"healthcode:{_ISSUER_REGIONS.get(profile(), '370000')}")


def data_dir() -> Path:
    """Local stage only: where the database files and the local key file live (git-ignored)."""
    return Path(_get("HEALTHCODE_DATA_DIR", str(PROJECT_ROOT / ".data")))


def key_provider() -> str:
    """`file` (a local key file under data_dir) or `kms` (envelope keys decrypted by AWS KMS)."""
    return _get("HEALTHCODE_KEY_PROVIDER", "file" if is_local() else "kms")


def kms_wrapped_keys() -> str:
    """Base64 of the KMS ciphertext that wraps the data keys (stage dev/prod)."""
    return _get("HEALTHCODE_KMS_WRAPPED_KEYS", "")


def sms_sender() -> str:
    """`console` (prints the code; local) or `sns` (Amazon SNS)."""
    return _get("HEALTHCODE_SMS_SENDER", "console" if is_local() else "sns")


def return_dev_code() -> bool:
    """The OTP comes back in the answer only in stage local, whatever else is set."""
    return is_local() and sms_sender() == "console"


def otp_ttl_seconds() -> int:
    return _int("HEALTHCODE_OTP_TTL_SECONDS", 600)


def otp_max_attempts() -> int:
    return _int("HEALTHCODE_OTP_MAX_ATTEMPTS", 5)


def otp_cooldown_seconds() -> int:
    return _int("HEALTHCODE_OTP_COOLDOWN_SECONDS", 60)


def otp_hourly_cap() -> int:
    return _int("HEALTHCODE_OTP_HOURLY_CAP", 5)


def otp_daily_cap() -> int:
    """Codes sent to one number per Asia/Shanghai day (0 = no cap)."""
    return _int("HEALTHCODE_OTP_DAILY_CAP", 10)


def otp_source_hourly_cap() -> int:
    """Codes sent per source address (API Gateway's sourceIp) per clock hour; 0 = off, the
    default in stage local so demos and tests log in freely."""
    return _int("HEALTHCODE_OTP_SOURCE_HOURLY_CAP", 0 if is_local() else 20)


def otp_global_minute_cap() -> int:
    """Codes sent overall per clock minute (the SMS bill's ceiling); 0 = off (local)."""
    return _int("HEALTHCODE_OTP_GLOBAL_MINUTE_CAP", 0 if is_local() else 300)


def access_token_seconds() -> int:
    return _int("HEALTHCODE_ACCESS_TOKEN_SECONDS", 3600)


def code_token_seconds() -> int:
    """Lifetime of the live QR token; the contract caps it at 5 minutes."""
    return min(_int("HEALTHCODE_CODE_TOKEN_SECONDS", 180), 300)


def issue_v1_codes() -> bool:
    """Whether the code view's `token` is still a v1 JWT (`on`, the default) or the compact v2
    `HC2:` code (`off`); QR images carry v2 either way (docs/decisions/0038-compact-codes.md)."""
    return _get("HEALTHCODE_ISSUE_V1_CODES", "on").lower() not in ("off", "0", "false", "no")


def access_token_cache_size() -> int:
    """Verified access tokens one process keeps (docs/decisions/0031-i13-shards.md); 0: none."""
    return _int("HEALTHCODE_ACCESS_TOKEN_CACHE_SIZE", 10_000)


def token_leeway_seconds() -> int:
    return _int("HEALTHCODE_TOKEN_LEEWAY_SECONDS", 10)


def key_cache_seconds() -> int:
    """How long a process trusts its copy of the key table before reading it again."""
    return _int("HEALTHCODE_KEY_CACHE_SECONDS", 60)


def ddb_timeouts() -> tuple[float, float, int]:
    """Connect timeout, read timeout and retries after the first attempt of one database call:
    at most (1 + 1) x (1 s + 3 s) = 8 s by default, and no attempt starts after the request's
    deadline (`request_deadline_seconds`)."""
    return (
        float(_get("HEALTHCODE_DDB_CONNECT_TIMEOUT", "1")),
        float(_get("HEALTHCODE_DDB_READ_TIMEOUT", "3")),
        _int("HEALTHCODE_DDB_RETRIES", 1),
    )


def request_deadline_seconds() -> float:
    """After this long a request starts no more database calls and answers 503: with one
    call's last attempt (4 s) it answers within 10 s. Long admin routes set their own."""
    return float(_get("HEALTHCODE_REQUEST_DEADLINE_SECONDS", "6"))


def retention_days() -> int:
    """How many Asia/Shanghai days (today included) scans, visits, check-ins and login states
    are kept; `purge` deletes older days. The one retention setting."""
    return _int("HEALTHCODE_RETENTION_DAYS", 28)


def log_level() -> str:
    return _get("HEALTHCODE_LOG_LEVEL", "INFO")


def guard_fraction() -> float:
    """An import may recolour at most this share of all persons without a second admin…"""
    return float(_get("HEALTHCODE_GUARD_FRACTION", "0.01"))


def guard_minimum() -> int:
    """…nor more than this many persons (the guard trips only when both are exceeded)."""
    return _int("HEALTHCODE_GUARD_MINIMUM", 100)


def import_batch_limit() -> int:
    """Most records one `POST /v1/admin/records` may carry: the request schema's maxItems, read
    once per process, when the schemas load (a Lambda's cold start)."""
    limit = _int("HEALTHCODE_IMPORT_BATCH_LIMIT", 1000)
    if limit < 1:
        raise ValueError("HEALTHCODE_IMPORT_BATCH_LIMIT must be at least 1")
    return limit


# Family (为家人代办) and paper codes


def max_dependents() -> int:
    """How many family members one guardian may act for."""
    return _int("HEALTHCODE_MAX_DEPENDENTS", 10)


def max_guardians() -> int:
    """How many guardians may act for one person."""
    return _int("HEALTHCODE_MAX_GUARDIANS", 3)


def share_code_seconds() -> int:
    """How long a share code (consent to bind a person who already holds a code) lives."""
    return _int("HEALTHCODE_SHARE_CODE_SECONDS", 24 * 3600)


def paper_code_days() -> int:
    """A paper code is valid from its issue date to this many days later (Asia/Shanghai)."""
    return _int("HEALTHCODE_PAPER_CODE_DAYS", 14)


def visits_hourly_cap() -> int:
    """Place-code scans (visits) one person may record per hour; more is 429."""
    return _int("HEALTHCODE_VISITS_HOURLY_CAP", 60)


def by_phone_hourly_cap() -> int:
    """Lookups by a guardian's phone one checker may make per hour."""
    return _int("HEALTHCODE_BY_PHONE_HOURLY_CAP", 30)


# Places, visits, reports ---------------------------------------------------------------------


def province_code() -> str:
    """The GB/T 2260 code of the province this service serves (370000 for shandong): the
    region of reports from scans at places nobody registered."""
    return _get("HEALTHCODE_PROVINCE_CODE", _ISSUER_REGIONS.get(profile(), "370000"))


def reports_limit() -> int:
    """The most reports one GET /v1/admin/reports returns (newest first)."""
    return _int("HEALTHCODE_REPORTS_LIMIT", 1000)


# The task queue and batch work (docs/decisions/0030-queue.md) -------------------------------


def task_queue_name() -> str:
    """The SQS queue of batch tasks. In AWS it is `healthcode-tasks` (the worker's Chalice
    decorator and infra/ name it); a local stage uses one per table prefix, so test runs and
    `make run` never share one. The endpoint is botocore's `AWS_ENDPOINT_URL_SQS`."""
    default = f"{table_prefix()}tasks" if is_local() else "healthcode-tasks"
    return _get("HEALTHCODE_TASK_QUEUE", default)


def task_max_receives() -> int:
    """Deliveries of one message before it goes to the dead-letter queue."""
    return _int("HEALTHCODE_TASK_MAX_RECEIVES", 5)


def task_budget_seconds() -> float:
    """How long one task runs before it hands the rest on in a continuation message (the
    worker's Lambda timeout is 28 s; the queue's visibility timeout is 6 times that)."""
    return float(_get("HEALTHCODE_TASK_BUDGET_SECONDS", "15"))


def task_threads() -> int:
    """Re-evaluations one worker runs at a time (each mostly waits on the database)."""
    return max(1, _int("HEALTHCODE_TASK_THREADS", 8))


def recompare_segments() -> int:
    """Parallel scan segments of a full re-evaluation pass: each is a queued task of its own,
    so this is also the most workers one pass keeps busy (docs/capacity.md)."""
    return max(1, _int("HEALTHCODE_RECOMPARE_SEGMENTS", 4 if is_local() else 96))


def region_inline_persons() -> int:
    """Visitors a region change re-evaluates within the request itself (the rest are queued in
    pages): a small region's change is visible in the answer."""
    return max(0, _int("HEALTHCODE_REGION_INLINE_PERSONS", 100))


# Partitions sized for the peak (docs/decisions/0031-i13-shards.md) -----------------------------

# Kind -> shards in dev and prod: the next power of two above the kind's peak writes per second
# to one day's partitions divided by 700 (70% of DynamoDB's 1,000 writes/s per partition key),
# for 100,000 verifies/s and 50,000 check-ins/s. Stage local (one machine, DynamoDB Local) keeps
# the 8 every kind had before: readers query every shard of a day, empty ones too.
SHARD_DEFAULTS = {
    "scans": 256,  # one scan per verify: 100,000/s
    "reports": 256,  # at most one per verify (a red city): 100,000/s
    "place_visits": 256,  # place-code scans, as many as verifies: 100,000/s
    "checkins": 128,  # one per check-in: 50,000/s
    "due": 128,  # persons re-assessed onto one review day: 50,000/s
    "logins": 32,  # login states: 20,000/s
    "visits": 32,  # declared region visits by their last day: 20,000/s
}
LOCAL_SHARDS = 8


def _shard_default(kind: str) -> int:
    return LOCAL_SHARDS if is_local() else SHARD_DEFAULTS[kind]


def shards(kind: str) -> int:
    """How many partitions one day of `kind` (a key of SHARD_DEFAULTS) is written over:
    HEALTHCODE_<KIND>_SHARDS, e.g. HEALTHCODE_SCANS_SHARDS."""
    if kind not in SHARD_DEFAULTS:
        raise KeyError(kind)
    count = _int(f"HEALTHCODE_{kind.upper()}_SHARDS", _shard_default(kind))
    if not 1 <= count <= 4096:
        raise ValueError(f"HEALTHCODE_{kind.upper()}_SHARDS must be between 1 and 4096")
    return count


def shards_read(kind: str) -> int:
    """How many partitions readers (purge, expire) query per day: the write count or, when
    larger, HEALTHCODE_<KIND>_SHARDS_READ_FLOOR (default: the stage's default count, itself never
    below the 8 used before counts were configurable), so that lowering the count leaves the
    items written with the larger one readable. Set the floor to the old count before lowering
    a count below the default; keep it until those days are purged (and, for `due`, passed)."""
    floor = _int(f"HEALTHCODE_{kind.upper()}_SHARDS_READ_FLOOR", _shard_default(kind))
    return max(shards(kind), floor, LOCAL_SHARDS)


def static_dir() -> Path:
    """The built pages (web/ → `make web`); inside chalicelib/ so the Lambda package has them."""
    return Path(_get("HEALTHCODE_STATIC_DIR", str(Path(__file__).resolve().parent / "static")))
