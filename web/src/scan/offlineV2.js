// Offline verification of compact code tokens (v2, `HC2:`): base45 text of a COSE_Sign1 (tag 18)
// over a CBOR Web Token, ES256 (docs/api.md, "Code tokens v2"; the server's reading is
// chalicelib/security/compact.py). The checks are the ones offline.js makes of a v1 JWT, in the
// server's order: the exact layout (anything else is `malformed`), `alg` ES256 only
// (`bad_signature`), the issuer ours or a trusted partner's (`untrusted_issuer`), a key of that
// issuer whose truncated RFC 7638 thumbprint is the token's key id (`unknown_key`), the
// signature (`bad_signature`), then kind, expiry and colour.
//
// Libraries, no CBOR or COSE written here: @digitalbazaar/base45 (RFC 9285), cborg (the CBOR
// decoder, with the options the layout needs), @ldclabs/cose-ts (COSE_Sign1: it builds the
// Sig_structure and verifies ES256 with @noble/curves), jose (the JWK thumbprint).
import { decode as base45Decode } from '@digitalbazaar/base45'
import { ECDSAKey } from '@ldclabs/cose-ts/ecdsa'
import { Sign1Message } from '@ldclabs/cose-ts/sign1'
import { Tokenizer, Type, decode as cborDecode } from 'cborg'
import { base64url, calculateJwkThumbprint } from 'jose'

export const PREFIX = 'HC2:'
const BASE45 = /^[0-9A-Z $%*+\-./:]*$/
const COSE_SIGN1_TAG = 18
const ES256 = -7
const ALG = 1
const KID = 4 // COSE header labels
const ISS = 1
const EXP = 4
const IAT = 6 // CWT claim keys
const HC = -65537 // the private claim with the code's facts
const COLOR = 1
const KIND = 2
const PSEUDONYM = 3
const COLORS = { 1: 'green', 2: 'yellow', 3: 'red' }
const KINDS = { 1: 'live', 2: 'paper' }
const KID_BYTES = 4
const PSEUDONYM_BYTES = 16
const SIGNATURE_BYTES = 64

export class Rejected extends Error {
  constructor(reason) {
    super(reason)
    this.reason = reason
  }
}

export const isCompact = (token) => typeof token === 'string' && token.startsWith(PREFIX)

// Our layout holds no floating-point number anywhere: a time or a code that is one is refused
// (the server asks for integers; a JavaScript number alone cannot tell 5 from 5.0).
class NoFloats extends Tokenizer {
  next() {
    const token = super.next()
    if (Type.equals(token.type, Type.float)) throw new Error('a float')
    return token
  }
}

// A tag decoder for 18 only: any other tag is refused by cborg itself.
const TAGS = []
TAGS[COSE_SIGN1_TAG] = (value) => ({ sign1: value })

function cbor(bytes, tags = undefined) {
  try {
    return cborDecode(bytes, { useMaps: true, tags, tokenizer: new NoFloats(bytes, { useMaps: true, tags }) })
  } catch {
    throw new Rejected('malformed') // truncated, trailing bytes, nesting, a tag, a float: all the same
  }
}

const isBytes = (v) => v instanceof Uint8Array
const isInt = (v) => Number.isInteger(v)
const keysAre = (map, keys) => map instanceof Map && map.size === keys.length && keys.every((k) => map.has(k))

// The token taken apart and its shape checked, not yet verified: { bytes, kid, claims }, the
// claims in v1's shape (`iss`, `color`, `kind`, `iat`, `exp`). Throws Rejected.
export function read(token) {
  const text = token.slice(PREFIX.length)
  if (!BASE45.test(text)) throw new Rejected('malformed')
  let bytes
  try {
    bytes = base45Decode(text)
  } catch {
    throw new Rejected('malformed')
  }
  const message = cbor(bytes, TAGS)
  const parts = message && typeof message === 'object' && 'sign1' in message ? message.sign1 : null
  if (!Array.isArray(parts) || parts.length !== 4) throw new Rejected('malformed')
  const [protectedBytes, unprotected, payload, signature] = parts
  if (![protectedBytes, payload, signature].every(isBytes)) throw new Rejected('malformed')
  if (!(unprotected instanceof Map) || unprotected.size !== 0 || signature.length !== SIGNATURE_BYTES) {
    throw new Rejected('malformed')
  }
  const header = cbor(protectedBytes)
  if (!keysAre(header, [ALG, KID])) throw new Rejected('malformed')
  if (header.get(ALG) !== ES256) throw new Rejected('bad_signature')
  const kid = header.get(KID)
  if (!isBytes(kid) || kid.length !== KID_BYTES) throw new Rejected('malformed')
  return { bytes, kid, claims: claimsOf(cbor(payload)) }
}

function claimsOf(claims) {
  if (!keysAre(claims, [ISS, EXP, IAT, HC])) throw new Rejected('malformed')
  const [issuer, expires, issued, facts] = [claims.get(ISS), claims.get(EXP), claims.get(IAT), claims.get(HC)]
  if (typeof issuer !== 'string' || !isInt(expires) || !isInt(issued)) throw new Rejected('malformed')
  if (!keysAre(facts, [COLOR, KIND, PSEUDONYM])) throw new Rejected('malformed')
  const [color, kind, pseudonym] = [facts.get(COLOR), facts.get(KIND), facts.get(PSEUDONYM)]
  if (!isInt(color) || !isInt(kind) || !(color in COLORS)) throw new Rejected('malformed')
  if (!isBytes(pseudonym) || pseudonym.length !== PSEUDONYM_BYTES) throw new Rejected('malformed')
  return {
    iss: issuer,
    color: COLORS[color],
    kind: KINDS[kind] || `unknown-${kind}`, // the kind check refuses it (wrong_kind)
    iat: issued,
    exp: expires,
  }
}

const sameBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i])

// The usable keys of a JWKS (EC P-256 with a kid, as the server's public_keys) whose compact key
// id (the first 4 bytes of the RFC 7638 SHA-256 thumbprint) is `kid`, as COSE keys.
export async function keysFor(jwks, kid) {
  const found = []
  for (const jwk of jwks && Array.isArray(jwks.keys) ? jwks.keys : []) {
    if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string') continue
    try {
      const members = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      const thumbprint = base64url.decode(await calculateJwkThumbprint(members, 'sha256'))
      if (!sameBytes(thumbprint.subarray(0, KID_BYTES), kid)) continue
      const [x, y] = [base64url.decode(jwk.x), base64url.decode(jwk.y)]
      if (x.length !== 32 || y.length !== 32) continue
      const point = new Uint8Array(65)
      point[0] = 0x04
      point.set(x, 1)
      point.set(y, 33)
      found.push(ECDSAKey.fromPublic(point)) // checks the point is on the curve
    } catch {
      continue // an unusable key is ignored, as the server ignores it
    }
  }
  return found
}

// Passes when one of `keys` signed the token (the library checks the COSE_Sign1 signature over
// its Sig_structure); throws Rejected('bad_signature') otherwise.
export function checkSignature(bytes, keys) {
  for (const key of keys) {
    try {
      Sign1Message.fromBytes(key, bytes)
      return
    } catch {
      continue
    }
  }
  throw new Rejected('bad_signature')
}

// The token's claims once its layout, issuer, key and signature are checked: { claims, ours,
// partner } for the checks every code shares (offline.js), or throws Rejected. `list` is the
// verified trust list; `ourJwks` our cached JWKS.
export async function verifyCompact(token, ourJwks, list) {
  const { bytes, kid, claims } = read(token)
  const ours = claims.iss === list.issuer
  const partner = ours ? null : list.issuers.find((i) => i && i.issuer === claims.iss)
  if (!ours && !partner) throw new Rejected('untrusted_issuer')
  const keys = await keysFor(ours ? ourJwks : partner.jwks, kid)
  if (keys.length === 0) throw new Rejected('unknown_key')
  checkSignature(bytes, keys)
  return { claims, ours, partner }
}
