"""Access tokens (login) and code tokens (QR), both ES256 JWTs with separate keys and shapes.

Access tokens: header typ `at+jwt`, claims iss, sub (account id), aud, roles, place, iat, exp, jti.
Code tokens: no typ (ours) or typ `JWT` (partners' JWT libraries add it by default), claims iss,
sub (a pseudonym that differs per token), color, kind, iat, exp, jti. Each verifier pins ES256,
requires its claims, checks issuer and shape, and refuses the other
kind. Expiry is checked against `now` passed in, with a small leeway. Code tokens also come in
the compact v2 format (`HC2:`, security/compact.py), read into the same claims so that every
check after the signature is shared.

A verified access token is kept per process (`VerifiedTokens`: bounded, least recently used
first out, keyed by the token's SHA-256, until its `exp`), so a checker's repeated calls skip the
signature check; each use still needs its key published now (a revoked or retired key refuses
it) and the same issuer, and the per-request checker check stays in services.auth.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from chalicelib import config
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Color, Role
from chalicelib.security import compact
from chalicelib.security.fields import b64url, pseudonym, raw_pseudonym, resolve_pseudonym
from chalicelib.security.signing import Keys, public_compact_kid

ACCESS_AUDIENCE = "healthcode-api"
ACCESS_TYP = "at+jwt"
GENERIC_TYP = "JWT"  # what a JWT library writes by default: says nothing of the kind
CODE_KINDS = ("live", "paper")
_CODE_CLAIMS = ("iss", "sub", "color", "kind", "iat", "exp", "jti")
_ACCESS_CLAIMS = ("iss", "sub", "aud", "roles", "iat", "exp", "jti")
_NO_TIME_CHECKS: Any = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}


def _header(token: str) -> dict[str, Any]:
    """The unverified header, to pick the key (pyjwt then checks the whole token once). Raises
    jwt.PyJWTError for anything that is not a compact JWS with a JSON object header."""
    return jwt.get_unverified_header(token)


def _jti() -> str:
    return b64url(os.urandom(6))  # 48 bits: unique enough beside iat, short in a QR


def _ts(instant: datetime) -> int:
    return int(instant.timestamp())


@dataclass(frozen=True)
class AccessClaims:
    account_id: str
    roles: frozenset[Role]
    place_id: str | None


def issue_access(
    keys: Keys, account_id: str, roles: frozenset[Role], place_id: str | None, now: datetime
) -> tuple[str, int]:
    lifetime = config.access_token_seconds()
    key = keys.signer(now)
    claims: dict[str, Any] = {
        "iss": config.issuer(),
        "sub": account_id,
        "aud": ACCESS_AUDIENCE,
        "roles": sorted(role.value for role in roles),
        "iat": _ts(now),
        "exp": _ts(now) + lifetime,
        "jti": _jti(),
    }
    if place_id:
        claims["place"] = place_id
    headers = {"kid": key.kid, "typ": ACCESS_TYP}
    assert key.private is not None
    return jwt.encode(claims, key.private, algorithm="ES256", headers=headers), lifetime


@dataclass(frozen=True)
class _Verified:
    claims: AccessClaims
    kid: str
    public: Any  # the public key that verified the signature (compared by value)
    exp: int
    issuer: str


class VerifiedTokens:
    """Access tokens this process verified: at most `config.access_token_cache_size()` (0: none
    kept), the least recently used dropped first, each dropped once past its `exp` and leeway.
    Keys are SHA-256 digests: the cache holds no token. Thread-safe (chalice local serves
    requests on threads; Lambda one at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Verified] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, digest: str, now: int) -> _Verified | None:
        with self._lock:
            self._trim(config.access_token_cache_size())  # the bound may have been lowered
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if now >= entry.exp + config.token_leeway_seconds():
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return entry

    def put(self, digest: str, entry: _Verified) -> None:
        bound = config.access_token_cache_size()
        with self._lock:
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            self._trim(bound)

    def _trim(self, bound: int) -> None:
        while len(self._entries) > max(bound, 0):
            self._entries.popitem(last=False)

    def drop(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ACCESS_CACHE = VerifiedTokens()


def verify_access(keys: Keys, token: str, now: datetime) -> AccessClaims:
    """The token's claims. A token this process verified before is taken from ACCESS_CACHE
    without checking its signature again, only while its key is still published (same public
    key), under the same issuer and before its `exp` plus the leeway; otherwise it is verified
    in full, with the same answers as without a cache."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    cached = ACCESS_CACHE.get(digest, _ts(now))
    if cached is not None:
        key = keys.public_key(cached.kid, now)
        if key is not None and key.public == cached.public and cached.issuer == config.issuer():
            return cached.claims
        ACCESS_CACHE.drop(digest)
    verified = _verify_access(keys, token, now)
    ACCESS_CACHE.put(digest, verified)
    return verified.claims


def _verify_access(keys: Keys, token: str, now: datetime) -> _Verified:
    try:
        header = _header(token)
        kid = str(header.get("kid"))
        key = keys.public_key(kid, now)
        if key is None or header.get("typ") != ACCESS_TYP:
            raise Unauthenticated()
        claims = jwt.decode(
            token,
            key.public,
            algorithms=["ES256"],
            audience=ACCESS_AUDIENCE,
            issuer=config.issuer(),
            options={**_NO_TIME_CHECKS, "require": list(_ACCESS_CLAIMS)},
        )
        if _ts(now) >= int(claims["exp"]) + config.token_leeway_seconds():
            raise Unauthenticated("The access token has expired.", "访问令牌已过期。")
        roles = frozenset(Role(role) for role in claims["roles"])
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise Unauthenticated() from error
    access = AccessClaims(str(claims["sub"]), roles, claims.get("place"))
    return _Verified(access, kid, key.public, int(claims["exp"]), config.issuer())


@dataclass(frozen=True)
class CodeClaims:
    person_id: str
    color: Color
    kind: str
    issued_at: datetime
    expires_at: datetime
    jti: str


class CodeRejected(Exception):
    """A code token that does not verify; `reason` is the answer's reason code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_code(
    keys: Keys,
    person_id: str,
    color: Color,
    now: datetime,
    *,
    kind: str = "live",
    lifetime: timedelta | None = None,
    v2: bool = False,
) -> tuple[str, datetime]:
    """A code token: a v1 JWT, or with `v2` the compact `HC2:` text (security/compact.py), the
    same facts signed by the same key."""
    expires = now + (lifetime or timedelta(seconds=config.code_token_seconds()))
    key = keys.signer(now)
    assert key.private is not None
    if v2:
        token = compact.encode(
            key.private,
            public_compact_kid(key.public),
            issuer=config.issuer(),
            color=color.value,
            kind=kind,
            pseudonym=raw_pseudonym(person_id),
            issued_at=_ts(now),
            expires_at=_ts(expires),
        )
        return token, expires
    claims = {
        "iss": config.issuer(),
        "sub": pseudonym(person_id),
        "color": color.value,
        "kind": kind,
        "iat": _ts(now),
        "exp": _ts(expires),
        "jti": _jti(),
    }
    headers = {"kid": key.kid, "typ": None}  # no typ: a shorter QR, and apart from access tokens
    return jwt.encode(claims, key.private, algorithm="ES256", headers=headers), expires


def signed_code_claims(
    token: str, key_for: Callable[[str], Any], kids_for: Callable[[bytes], list[str]]
) -> dict[str, Any]:
    """A code token's claims after the checks every code shares, ours or a partner's, v1 or v2.

    v1 (a JWT): ES256 only, no `typ` or the generic `JWT` that most JWT libraries write by
    default (access tokens `at+jwt` and signed documents carry a typ of their own), a key found
    by `kid` (`key_for` answers None for an unknown one), a valid signature and the seven claims.
    v2 (`HC2:`): the layout of security/compact.py, ES256 only, a key whose compact kid is the
    token's (`kids_for` names the candidates), a valid signature; the claims come back in the
    same shape. Raises CodeRejected (malformed, bad_signature, wrong_kind, unknown_key)."""
    if compact.is_compact(token):
        return _compact_claims(token, key_for, kids_for)
    try:
        header = _header(token)
    except (jwt.PyJWTError, ValueError) as error:
        raise CodeRejected("malformed") from error
    if header.get("alg") != "ES256":
        raise CodeRejected("bad_signature")
    if "typ" in header and not _generic_typ(header["typ"]):
        raise CodeRejected("wrong_kind")
    key = key_for(str(header.get("kid")))
    if key is None:
        raise CodeRejected("unknown_key")
    return _decode_code(token, key)


def _compact_claims(
    token: str, key_for: Callable[[str], Any], kids_for: Callable[[bytes], list[str]]
) -> dict[str, Any]:
    try:
        read = compact.read(token)
        publics = [key for kid in kids_for(read.kid) if (key := key_for(kid)) is not None]
        if not publics:
            raise CodeRejected("unknown_key")
        compact.check_signature(read, publics)
    except compact.Unreadable as refused:
        raise CodeRejected(refused.reason) from None
    return dict(read.claims)


def _generic_typ(typ: Any) -> bool:
    """`JWT`, compared without case as RFC 7515 (4.1.9) asks of media types."""
    return isinstance(typ, str) and typ.upper() == GENERIC_TYP


def expired(claims: dict[str, Any], now: datetime) -> bool:
    """Past `exp`, or issued in the future, beyond the leeway."""
    leeway = config.token_leeway_seconds()
    return _ts(now) >= int(claims["exp"]) + leeway or int(claims["iat"]) > _ts(now) + leeway


def verify_code(keys: Keys, token: str, now: datetime) -> CodeClaims:
    """Raises CodeRejected with one of: malformed, bad_signature, unknown_key, revoked_key,
    expired, wrong_kind, untrusted_issuer."""

    def key_for(kid: str) -> Any:
        key = keys.public_key(kid, now)
        if key is None and keys.revoked(kid):
            raise CodeRejected("revoked_key")
        return key.public if key else None

    claims = signed_code_claims(token, key_for, lambda compact_kid: keys.kids_for(compact_kid, now))
    if claims["iss"] != config.issuer():
        raise CodeRejected("untrusted_issuer")
    if claims["kind"] not in CODE_KINDS:
        raise CodeRejected("wrong_kind")
    if expired(claims, now):
        raise CodeRejected("expired")
    try:
        person_id = resolve_pseudonym(str(claims["sub"]))
        color = Color(claims["color"])
    except ValueError as error:
        raise CodeRejected("malformed") from error
    issued = datetime.fromtimestamp(int(claims["iat"]), now.tzinfo)
    expires = datetime.fromtimestamp(int(claims["exp"]), now.tzinfo)
    return CodeClaims(person_id, color, claims["kind"], issued, expires, str(claims["jti"]))


def _decode_code(token: str, public: Any) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=["ES256"],
            options={**_NO_TIME_CHECKS, "require": list(_CODE_CLAIMS), "verify_aud": False},
        )
    except jwt.InvalidSignatureError as error:
        raise CodeRejected("bad_signature") from error
    except (jwt.PyJWTError, ValueError) as error:
        raise CodeRejected("malformed") from error
    if "aud" in claims or not isinstance(claims.get("exp"), int):
        raise CodeRejected("wrong_kind" if "aud" in claims else "malformed")
    return claims
