"""Field encryption (AES-GCM), blind indexes (keyed HMAC) and the pseudonymous token subject."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwt.utils import base64url_decode, base64url_encode

from chalicelib.security.keyring import subkey

_VERSION = "v1"


def b64url(raw: bytes) -> str:
    """Unpadded base64url text, as in JWTs."""
    return base64url_encode(raw).decode()


def encrypt(plaintext: str, context: str) -> str:
    """`context` (table, field, key) is bound as associated data: a value moved to another field
    or another person no longer decrypts."""
    nonce = os.urandom(12)
    sealed = _aead(subkey("field-encryption")).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{_VERSION}.{b64url(nonce + sealed)}"


def decrypt(token: str, context: str) -> str:
    version, _, body = token.partition(".")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    raw = base64url_decode(body)
    opened = _aead(subkey("field-encryption")).decrypt(raw[:12], raw[12:], context.encode())
    return opened.decode()


def blind_index(kind: str, value: str) -> str:
    """A keyed HMAC to look a value up without storing it; `kind` keeps namespaces apart."""
    mac = hmac.new(subkey("blind-index"), f"{kind}\x00{value}".encode(), hashlib.sha256)
    return mac.hexdigest()


def otp_hash(phone_key: str, code: str) -> str:
    return hmac.new(subkey("otp"), f"{phone_key}\x00{code}".encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=4)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def _block_cipher() -> Cipher[modes.ECB]:
    # One AES block over (8-byte person id || 8 random bytes): a single block, so ECB is the
    # plain block cipher here, and the random half makes every subject different.
    return Cipher(algorithms.AES(subkey("pseudonym", 16)), modes.ECB())


def pseudonym(person_id: str) -> str:
    return b64url(raw_pseudonym(person_id))


def raw_pseudonym(person_id: str) -> bytes:
    """16 bytes that only this service can resolve and that differ on every call."""
    raw_id = bytes.fromhex(person_id)
    if len(raw_id) != 8:
        raise ValueError("person ids are 8 bytes")
    encryptor = _block_cipher().encryptor()
    return encryptor.update(raw_id + os.urandom(8)) + encryptor.finalize()


def resolve_pseudonym(subject: str) -> str:
    """The person id behind a subject we issued. Raises ValueError for anything else."""
    raw = base64url_decode(subject)
    if len(raw) != 16:
        raise ValueError("not one of our subjects")
    decryptor = _block_cipher().decryptor()
    return (decryptor.update(raw) + decryptor.finalize())[:8].hex()


def new_person_id() -> str:
    return os.urandom(8).hex()
