"""Partner provinces' code tokens (省际互认) and our signed trust list.

A partner token has one of our code token's shapes (API.md): a v1 JWT, header `{alg: ES256, kid}`
(and the `typ: JWT` most JWT libraries add), claims `iss`, `sub` (opaque: never read), `color`,
`kind`, `iat`, `exp`, `jti`; or a v2 `HC2:` token (security/compact.py) whose 4-byte kid is the
start of the RFC 7638 thumbprint of a key in the partner's JWKS. The unverified `iss` only picks
the key set; then the signature (ES256 pinned), the claims, `exp` and `kind` are checked, the
same checks for both formats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from chalicelib.domain.model import Color
from chalicelib.security import compact
from chalicelib.security.signing import Keys, compact_kid
from chalicelib.security.tokens import CodeRejected, expired, signed_code_claims

_LIVE_SECONDS = 300  # API.md: exp at most 5 minutes after iat for live tokens
TRUST_LIST_TYP = "trust-list+jws"


def unverified_issuer(token: str) -> str | None:
    """The `iss` claim read without any check, only to choose whose keys verify the token;
    None when the token cannot be read that far."""
    if compact.is_compact(token):
        return compact.unverified_issuer(token)
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError):
        return None
    issuer = payload.get("iss")
    return issuer if isinstance(issuer, str) else None


def public_keys(jwks: dict[str, Any]) -> dict[str, ec.EllipticCurvePublicKey]:
    """The usable EC P-256 public keys of a JWKS by kid; anything else (and any private member)
    is ignored."""
    keys: dict[str, ec.EllipticCurvePublicKey] = {}
    for jwk in jwks.get("keys", []):
        if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            continue
        public = {k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk}
        try:
            key = ECAlgorithm.from_jwk(public)
        except (jwt.PyJWTError, ValueError, KeyError, TypeError):
            continue
        if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(jwk.get("kid"), str):
            keys[jwk["kid"]] = key
    return keys


def compact_kids(jwks: dict[str, Any]) -> dict[bytes, list[str]]:
    """The kids of a JWKS's usable keys by their compact (v2) key id."""
    usable = public_keys(jwks)
    by_compact: dict[bytes, list[str]] = {}
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") in usable:
            by_compact.setdefault(compact_kid(jwk), []).append(jwk["kid"])
    return by_compact


@dataclass(frozen=True)
class PartnerClaims:
    issuer: str
    color: Color
    kind: str
    jti: str
    issued_at: datetime
    expires_at: datetime


def verify_partner_code(
    token: str, issuer: str, jwks: dict[str, Any], now: datetime
) -> PartnerClaims:
    """Raises CodeRejected (malformed, bad_signature, unknown_key, expired, wrong_kind)."""
    by_compact = compact_kids(jwks) if compact.is_compact(token) else {}
    claims = signed_code_claims(token, public_keys(jwks).get, lambda kid: by_compact.get(kid, []))
    if claims["iss"] != issuer:
        raise CodeRejected("malformed")  # the key set was chosen by this very claim
    color, expires = _checked_claims(claims, now)
    issued_at = datetime.fromtimestamp(claims["iat"], now.tzinfo)
    expires_at = datetime.fromtimestamp(expires, now.tzinfo)
    return PartnerClaims(issuer, color, "live", str(claims["jti"]), issued_at, expires_at)


def _checked_claims(claims: dict[str, Any], now: datetime) -> tuple[Color, int]:
    """The colour and expiry of a live code that has not expired; raises CodeRejected."""
    if claims["kind"] != "live":
        raise CodeRejected("wrong_kind")
    issued, expires = claims["iat"], claims["exp"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (issued, expires)):
        raise CodeRejected("malformed")
    if expired(claims, now):
        raise CodeRejected("expired")
    if expires - issued > _LIVE_SECONDS:
        raise CodeRejected("malformed")  # a live code lives 5 minutes at most
    try:
        return Color(claims["color"]), expires
    except ValueError as error:
        raise CodeRejected("malformed") from error


def sign_document(keys: Keys, document: dict[str, Any], now: datetime) -> str:
    """A compact JWS (ES256, with kid) of `document`, signed with a key the JWKS publishes."""
    key = keys.signer(now)
    assert key.private is not None
    payload = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    headers = {"kid": key.kid, "typ": TRUST_LIST_TYP, "cty": "json"}
    return jwt.api_jws.encode(payload, key.private, algorithm="ES256", headers=headers)
