// Offline verification (离线核验) for a gate whose network is down: the code token's signature
// (ES256, by kid; a v2 `HC2:` token by its thumbprint key id, offlineV2.js) against our cached JWKS, or a partner's keys from the cached trust list, then
// its issuer, kind and expiry, as the server checks them (chalicelib/security/tokens.py). What
// offline cannot know: a revocation (deleted data, a lost paper code, a revoked key) and the
// current colour; the result says so. Both files are public, so they are cached in localStorage.
// The trust list is a compact JWS signed with a key of our JWKS; it is verified when cached and
// again when used, and refused past its `not_after`.
import { base64url, compactVerify, decodeProtectedHeader, importJWK } from 'jose'
import { Rejected as CompactRejected, isCompact, verifyCompact } from './offlineV2.js'

const KEY = 'healthcode.scan.offline'
const TRUST_LIST_TYP = 'trust-list+jws'
const LEEWAY_SECONDS = 10 // the server's token leeway (HEALTHCODE_TOKEN_LEEWAY_SECONDS)
const LIVE_SECONDS = 300 // a live code lives 5 minutes at most
const COLORS = ['green', 'yellow', 'red']
const FEVER_CELSIUS = 37.3

export class OfflineRefused extends Error {
  constructor(reason, detail = {}) {
    super(reason)
    this.reason = reason // no_offline_data | stale_trust_list | trust_list_invalid | clock_behind
    this.detail = detail
  }
}

class Rejected extends Error {
  constructor(reason) {
    super(reason)
    this.reason = reason
  }
}

export function cached() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null')
    return saved && saved.jwks && saved.trustList ? saved : null
  } catch {
    return null
  }
}

// Fetches the JWKS and the signed trust list and keeps them when the list verifies with the
// JWKS. Returns the trust list's content, or throws (the previous copy is kept).
export async function refresh() {
  const get = async (path, accept) => {
    const response = await fetch(path, { headers: { Accept: accept }, cache: 'no-store' })
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
    return response
  }
  const [jwks, trustList] = await Promise.all([
    get('/.well-known/jwks.json', 'application/json').then((r) => r.json()),
    get('/.well-known/trust-list.jws', 'application/jose').then((r) => r.text()),
  ])
  const list = await openTrustList(trustList.trim(), jwks)
  localStorage.setItem(KEY, JSON.stringify({ jwks, trustList: trustList.trim(), savedAt: new Date().toISOString() }))
  return list
}

// The cached trust list's content (verified), or null when nothing is cached or it does not verify.
export async function cachedTrustList() {
  const saved = cached()
  if (!saved) return null
  try {
    return await openTrustList(saved.trustList, saved.jwks)
  } catch {
    return null
  }
}

async function publicKey(jwks, kid) {
  if (typeof kid !== 'string') return null
  const jwk = (jwks && Array.isArray(jwks.keys) ? jwks.keys : []).find(
    (k) => k && k.kid === kid && k.kty === 'EC' && k.crv === 'P-256',
  )
  if (!jwk) return null
  return importJWK({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, 'ES256')
}

async function openTrustList(jws, jwks) {
  let header
  try {
    header = decodeProtectedHeader(jws)
  } catch {
    throw new OfflineRefused('trust_list_invalid')
  }
  if (header.alg !== 'ES256' || header.typ !== TRUST_LIST_TYP) throw new OfflineRefused('trust_list_invalid')
  const key = await publicKey(jwks, header.kid)
  if (!key) throw new OfflineRefused('trust_list_invalid')
  try {
    const { payload } = await compactVerify(jws, key, { algorithms: ['ES256'] })
    const list = JSON.parse(new TextDecoder().decode(payload))
    if (typeof list.issuer !== 'string' || !Array.isArray(list.issuers) || Number.isNaN(Date.parse(list.not_after))) {
      throw new Error('shape')
    }
    return list
  } catch {
    throw new OfflineRefused('trust_list_invalid')
  }
}

function unverifiedClaims(token) {
  const parts = token.split('.')
  if (parts.length !== 3) throw new Rejected('malformed')
  try {
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(parts[1])))
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('shape')
    return claims
  } catch {
    throw new Rejected('malformed')
  }
}

const isInt = (v) => Number.isInteger(v)

// The token checked against the cached keys and trust list at `now` (a Date). Throws
// OfflineRefused when offline verification cannot be done at all; otherwise a result shaped like
// POST /v1/verify's answer, with `offline: true`, no name, and the colour the token carries.
export async function verifyOffline(token, { now = new Date(), temperature = null } = {}) {
  const saved = cached()
  if (!saved) throw new OfflineRefused('no_offline_data')
  const list = await openTrustList(saved.trustList, saved.jwks)
  if (now.getTime() >= Date.parse(list.not_after)) {
    throw new OfflineRefused('stale_trust_list', { notAfter: list.not_after })
  }
  // A phone whose clock is behind the day the list was signed (set back, so that an expired
  // screenshot passes) cannot tell expiry: refuse rather than trust it.
  const issuedAt = Date.parse(list.issued_at)
  if (Number.isNaN(issuedAt) || now.getTime() < issuedAt - LEEWAY_SECONDS * 1000) {
    throw new OfflineRefused('clock_behind', { issuedAt: list.issued_at })
  }
  const base = {
    offline: true,
    valid: false,
    pass: false,
    color: null,
    masked_name: null,
    reason: null,
    kind: null,
    issuer: null,
    issuer_name: null,
    province_code: null,
    issued_at: null,
    checked_at: now.toISOString(),
    trust_list_not_after: list.not_after,
  }
  try {
    const claims = await checkToken(token.trim(), saved.jwks, list, now)
    const fever = temperature !== null && temperature >= FEVER_CELSIUS
    return {
      ...base,
      ...claims,
      valid: true,
      pass: !fever && claims.color === 'green',
      reason: fever ? 'fever_at_gate' : null,
    }
  } catch (error) {
    if (error instanceof Rejected) return { ...base, reason: error.reason }
    throw error
  }
}

async function checkToken(token, ourJwks, list, now) {
  if (isCompact(token)) {
    // v2 (`HC2:`, offlineV2.js): its own layout, key id and signature, then the same checks
    let verified
    try {
      verified = await verifyCompact(token, ourJwks, list)
    } catch (error) {
      throw new Rejected(error instanceof CompactRejected ? error.reason : 'malformed')
    }
    return checkClaims(verified.claims, verified.ours, verified.partner, now)
  }
  let header
  try {
    header = decodeProtectedHeader(token)
  } catch {
    throw new Rejected('malformed')
  }
  if (header.alg !== 'ES256') throw new Rejected('bad_signature')
  if ('typ' in header && !(typeof header.typ === 'string' && header.typ.toUpperCase() === 'JWT')) {
    throw new Rejected('wrong_kind')
  }
  const unverified = unverifiedClaims(token)
  const ours = unverified.iss === list.issuer
  const partner = ours ? null : list.issuers.find((i) => i && i.issuer === unverified.iss)
  if (!ours && !partner) throw new Rejected('untrusted_issuer')
  const key = await publicKey(ours ? ourJwks : partner.jwks, header.kid)
  if (!key) throw new Rejected('unknown_key')
  let claims
  try {
    const { payload } = await compactVerify(token, key, { algorithms: ['ES256'] })
    claims = JSON.parse(new TextDecoder().decode(payload))
  } catch (error) {
    throw new Rejected(error && error.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad_signature' : 'malformed')
  }
  for (const name of ['iss', 'sub', 'color', 'kind', 'iat', 'exp', 'jti']) {
    if (!(name in claims)) throw new Rejected('malformed')
  }
  if ('aud' in claims) throw new Rejected('wrong_kind') // an access token
  if (claims.iss !== unverified.iss) throw new Rejected('malformed')
  return checkClaims(claims, ours, partner, now)
}

// The checks after the signature, one set for v1 and v2: times, kind, expiry, colour.
function checkClaims(claims, ours, partner, now) {
  if (!isInt(claims.iat) || !isInt(claims.exp)) throw new Rejected('malformed')
  const kinds = ours ? ['live', 'paper'] : ['live']
  if (!kinds.includes(claims.kind)) throw new Rejected('wrong_kind')
  const seconds = Math.floor(now.getTime() / 1000)
  if (seconds >= claims.exp + LEEWAY_SECONDS || claims.iat > seconds + LEEWAY_SECONDS) throw new Rejected('expired')
  if (!ours && claims.exp - claims.iat > LIVE_SECONDS) throw new Rejected('malformed')
  if (!COLORS.includes(claims.color)) throw new Rejected('malformed')
  return {
    color: claims.color,
    kind: claims.kind,
    issuer: claims.iss,
    issuer_name: partner ? partner.name : null,
    province_code: partner ? partner.province_code : null,
    issued_at: new Date(claims.iat * 1000).toISOString(),
  }
}
