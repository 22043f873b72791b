"""The secret keys behind field encryption, blind indexes, pseudonyms and OTP hashes.

One 32-byte master secret; each use gets its own subkey through HKDF with a distinct label, so
no key serves two purposes. Stage `local` keeps the master secret in a file under the git-ignored
data folder, created on first use. AWS stages keep it wrapped by a KMS key (envelope encryption):
the wrapped bytes are configuration, and KMS unwraps them once per cold start.
"""

from __future__ import annotations

import base64
import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chalicelib import config

LABELS = ("field-encryption", "blind-index", "pseudonym", "otp")


def _read_or_create_local_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, os.urandom(32))
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    secret = path.read_bytes()
    if len(secret) != 32:
        raise RuntimeError(f"the local key file {path} is damaged (expected 32 bytes)")
    return secret


def _unwrap_with_kms(wrapped_b64: str) -> bytes:
    import boto3  # only in AWS stages

    if not wrapped_b64:
        raise RuntimeError("HEALTHCODE_KMS_WRAPPED_KEYS is not set")
    kms = boto3.client("kms", region_name=config.aws_region())
    answer = kms.decrypt(
        CiphertextBlob=base64.b64decode(wrapped_b64),
        EncryptionContext={"app": "healthcode", "stage": config.stage()},
    )
    return bytes(answer["Plaintext"])


@functools.lru_cache(maxsize=4)
def _master(provider: str, where: str) -> bytes:
    if provider == "file":
        return _read_or_create_local_secret(Path(where))
    if provider == "kms":
        return _unwrap_with_kms(where)
    raise RuntimeError(f"unknown key provider {provider!r}")


def subkey(label: str, length: int = 32) -> bytes:
    if label not in LABELS:
        raise ValueError(label)
    provider = config.key_provider()
    where = (
        str(config.data_dir() / "keys" / "master.key")
        if provider == "file"
        else config.kms_wrapped_keys()
    )
    return _derive(_master(provider, where), label, length)


@functools.lru_cache(maxsize=16)
def _derive(master: bytes, label: str, length: int) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label.encode())
    return hkdf.derive(master)
