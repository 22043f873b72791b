// What the checker reads: colours and reasons, Chinese first (tr picks by the page's language).
import { tr } from '../common/i18n.js'

const COLORS = {
  green: ['绿码', 'Green code'],
  yellow: ['黄码', 'Yellow code'],
  red: ['红码', 'Red code'],
}

const REASONS = {
  expired: ['二维码已过期，请让对方刷新健康码', 'The code has expired: ask for a refreshed code'],
  bad_signature: ['签名无效，可能是伪造的健康码', 'Invalid signature: the code may be forged'],
  unknown_key: ['签名密钥未知，无法确认真伪', 'Signed with an unknown key: cannot be authenticated'],
  revoked_key: ['签名密钥已吊销', 'The signing key has been revoked'],
  malformed: ['不是有效的健康码', 'Not a valid health code'],
  revoked: ['健康码已作废（已注销或纸质码已挂失）', 'The code has been revoked (data deleted or paper code reported lost)'],
  untrusted_issuer: ['签发机构不在互认名单内', 'Issued by an issuer that is not trusted'],
  wrong_kind: ['不是健康码（类型不符）', 'Not a health code (wrong kind of token)'],
  fever_at_gate: ['卡口测温发热（37.3 °C 及以上）', 'Fever measured at the gate (37.3 °C or more)'],
  color_yellow: ['黄码人员不予通行', 'Yellow code: no entry'],
  color_red: ['红码人员不予通行', 'Red code: no entry'],
}

const REFUSALS = {
  no_offline_data: [
    '本机没有离线核验数据（密钥和互认名单），请联网后核验。',
    'This phone has no offline verification data (keys and trust list). Verify when online.',
  ],
  stale_trust_list: [
    '离线核验数据已过期，不能离线核验，请联网后核验。',
    'The offline verification data has expired: offline verification is not possible. Verify when online.',
  ],
  clock_behind: [
    '本机时间早于离线核验数据的签发时间，时间可能被调整过，不能离线核验，请校准时间或联网后核验。',
    "This phone's clock is earlier than the offline data was signed: it may have been set back. Offline verification is not possible; correct the time or verify when online.",
  ],
  trust_list_invalid: [
    '离线核验数据无法验证，请联网后核验。',
    'The offline verification data cannot be authenticated. Verify when online.',
  ],
}

export function colorText(color) {
  return COLORS[color] ? tr(...COLORS[color]) : tr('颜色未知', 'Colour unknown')
}

export function reasonText(result) {
  if (result.reason) return REASONS[result.reason] ? tr(...REASONS[result.reason]) : result.reason
  if (result.color === 'yellow' || result.color === 'red') return tr(...REASONS[`color_${result.color}`])
  return ''
}

export function refusalText(reason) {
  return REFUSALS[reason] ? tr(...REFUSALS[reason]) : reason
}

export function when(iso) {
  if (!iso) return ''
  return new Intl.DateTimeFormat(tr('zh-CN', 'en-GB'), {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(iso))
}
