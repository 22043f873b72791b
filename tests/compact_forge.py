"""v2 (`HC2:`) code tokens made the way another province would make them, from the byte layout in
docs/api.md with cbor2 and `cryptography` alone (not our python-cwt code path), and bent into
every shape an attacker might send."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

import base45  # type: ignore[import-untyped]
import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

COLORS = {"green": 1, "yellow": 2, "red": 3}
KINDS = {"live": 1, "paper": 2}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(public: ec.EllipticCurvePublicKey, kid: str = "k1") -> dict[str, str]:
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
        "kid": kid,
    }


def key_id(public: ec.EllipticCurvePublicKey) -> bytes:
    """RFC 7638: SHA-256 over {"crv","kty","x","y"} as JSON without spaces; the first 4 bytes."""
    members = {k: v for k, v in jwk(public).items() if k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha256(canonical).digest()[:4]


def claims(
    issuer: str,
    iat: int,
    *,
    life: int = 180,
    color: Any = "green",
    kind: Any = "live",
    pseudonym: bytes | None = None,
) -> dict[int, Any]:
    return {
        1: issuer,
        4: iat + life,
        6: iat,
        -65537: {
            1: COLORS.get(color, color),
            2: KINDS.get(kind, kind),
            3: os.urandom(16) if pseudonym is None else pseudonym,
        },
    }


def sign1(
    private: ec.EllipticCurvePrivateKey,
    payload: Any,
    *,
    kid: bytes | None = None,
    protected: dict[int, Any] | None = None,
    unprotected: dict[int, Any] | None = None,
    tag: int | None = 18,
    encode_payload: bool = True,
) -> bytes:
    """A COSE_Sign1 over `payload` (CBOR-encoded unless told), signed ES256 as RFC 9052 says:
    over ["Signature1", protected, h'', payload], the signature raw r || s."""
    if protected is None:
        protected = {1: -7, 4: key_id(private.public_key()) if kid is None else kid}
    protected_raw = cbor2.dumps(protected)
    body = cbor2.dumps(payload) if encode_payload else payload
    to_sign = cbor2.dumps(["Signature1", protected_raw, b"", body])
    r, s = decode_dss_signature(private.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    parts = [protected_raw, {} if unprotected is None else unprotected, body, signature]
    return cbor2.dumps(cbor2.CBORTag(tag, parts) if tag is not None else parts)


def text(message: bytes) -> str:
    return "HC2:" + base45.b45encode(message).decode()


def token(private: ec.EllipticCurvePrivateKey, issuer: str, iat: int, **kw: Any) -> str:
    return text(sign1(private, claims(issuer, iat, **kw)))


def retagged_colour(token_text: str, color: str) -> str:
    """The same signed token with another colour in its payload (the signature kept)."""
    message = cbor2.loads(base45.b45decode(token_text[4:]))
    payload = cbor2.loads(message.value[2])
    payload[-65537][1] = COLORS[color]
    message.value[2] = cbor2.dumps(payload)
    return text(cbor2.dumps(message))
