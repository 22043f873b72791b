"""Place tokens (场所码): the ES256 JWT a place's QR holds, signed with the `place` keys.

Header `{"alg": "ES256", "kid", "typ": "place+jwt"}`; claims `iss`, `sub` (the place id),
`kind: "place"`, `iat`, `jti`, and no `exp`: the token is valid until the place is closed, which
only the database knows. The `typ` sets it apart from code tokens (whose verifier refuses any
token with a `typ` as `wrong_kind`) and from access tokens (`at+jwt`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import jwt

from chalicelib import config
from chalicelib.domain.places import InvalidPlaceCode
from chalicelib.security.fields import b64url
from chalicelib.security.signing import Keys
from chalicelib.security.tokens import _header

PLACE_TYP = "place+jwt"
PLACE_KIND = "place"
_CLAIMS = ("iss", "sub", "kind", "iat", "jti")


@dataclass(frozen=True)
class PlaceClaims:
    place_id: str
    kid: str
    jti: str


def issue_place(keys: Keys, place_id: str, now: datetime) -> tuple[str, PlaceClaims]:
    key = keys.signer(now)
    jti = b64url(os.urandom(9))
    claims = {
        "iss": config.issuer(),
        "sub": place_id,
        "kind": PLACE_KIND,
        "iat": int(now.timestamp()),
        "jti": jti,
    }
    assert key.private is not None
    headers = {"kid": key.kid, "typ": PLACE_TYP}
    token = jwt.encode(claims, key.private, algorithm="ES256", headers=headers)
    return token, PlaceClaims(place_id, key.kid, jti)


def verify_place(keys: Keys, token: str, now: datetime) -> PlaceClaims:
    """The place a token names, if we signed it as a place token; InvalidPlaceCode otherwise
    (code tokens, access tokens, forgeries, other issuers). Whether the place is still open is
    the caller's question."""
    try:
        header = _header(token)
        if header.get("typ") != PLACE_TYP or header.get("alg") != "ES256":
            raise InvalidPlaceCode()
        key = keys.public_key(str(header.get("kid")), now)
        if key is None:
            raise InvalidPlaceCode()
        claims = jwt.decode(
            token,
            key.public,
            algorithms=["ES256"],
            issuer=config.issuer(),
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "require": list(_CLAIMS),
            },
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidPlaceCode() from error
    late = int(now.timestamp()) + config.token_leeway_seconds()
    if (
        claims["kind"] != PLACE_KIND
        or "exp" in claims
        or "aud" in claims
        or not isinstance(claims["sub"], str)
        or not isinstance(claims["iat"], int)
        or claims["iat"] > late
    ):
        raise InvalidPlaceCode()
    return PlaceClaims(claims["sub"], key.kid, str(claims["jti"]))
