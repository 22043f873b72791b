// The holder page's shared pieces: one API client, the words for the API's values in both
// languages, dates in Asia/Shanghai, and the blob: helpers that keep the token out of URLs.
import { ref } from 'vue'
import { client } from '../common/api.js'
import { tr } from '../common/i18n.js'

// Set when the server no longer accepts the access token (it lives about an hour): the page
// goes back to the login form instead of failing section by section.
export const sessionEnded = ref(false)

const base = client('holder')
async function request(...args) {
  try {
    return await base.request(...args)
  } catch (e) {
    if (e.status === 401) sessionEnded.value = true
    throw e
  }
}
export const api = {
  ...base,
  request,
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body = {}, options) => request('POST', path, body, options),
  put: (path, body, options) => request('PUT', path, body, options),
  del: (path, options) => request('DELETE', path, undefined, options),
}

export const ZONE = 'Asia/Shanghai'

export const COLOURS = {
  green: ['绿码', 'Green code'],
  yellow: ['黄码', 'Yellow code'],
  red: ['红码', 'Red code'],
}
export const colourText = (color) => tr(...(COLOURS[color] || [color, color]))

export const ID_TYPES = [
  ['resident_id', '居民身份证', 'Resident ID card'],
  ['passport', '护照', 'Passport'],
  ['hk_macao_permit', '港澳居民来往内地通行证', 'Mainland travel permit (Hong Kong, Macao)'],
  ['taiwan_permit', '台湾居民来往大陆通行证', 'Mainland travel permit (Taiwan)'],
  ['foreign_permanent_residence', '外国人永久居留身份证', 'Foreign permanent residence ID'],
]

export const RELATIONS = [
  ['parent', '父母', 'Parent'],
  ['child', '子女', 'Child'],
  ['spouse', '配偶', 'Spouse'],
  ['grandparent', '祖父母/外祖父母', 'Grandparent'],
  ['grandchild', '孙子女/外孙子女', 'Grandchild'],
  ['sibling', '兄弟姐妹', 'Sibling'],
  ['other', '其他', 'Other'],
]

export const SYMPTOMS = [
  ['fever', '发热', 'Fever'],
  ['dry_cough', '干咳', 'Dry cough'],
  ['cough', '咳嗽', 'Cough'],
  ['shortness_of_breath', '气促', 'Shortness of breath'],
  ['fatigue', '乏力', 'Fatigue'],
  ['diarrhea', '腹泻', 'Diarrhoea'],
  ['conjunctivitis', '结膜炎', 'Conjunctivitis'],
]

export const PLACE_TYPES = {
  community: ['社区', 'Community'],
  restaurant: ['餐饮', 'Restaurant'],
  mall: ['商场', 'Shopping mall'],
  hospital: ['医院', 'Hospital'],
  hotel: ['酒店', 'Hotel'],
  transport: ['交通场站', 'Transport'],
  tourism: ['旅游景点', 'Tourist site'],
  office: ['办公场所', 'Office'],
  other: ['其他场所', 'Other place'],
}

export const ACTORS = {
  system: ['系统', 'System'],
  authority: ['卫健部门', 'Health authority'],
  self: ['本人', 'Self'],
  guardian: ['监护人', 'Guardian'],
  checker: ['卡口核验', 'Checkpoint'],
}

// A word for an API value from one of the tables above, in the page's language.
export function word(table, value) {
  if (Array.isArray(table)) {
    const found = table.find((row) => row[0] === value)
    return found ? tr(found[1], found[2]) : value
  }
  return table[value] ? tr(...table[value]) : value
}

const parts = (date, options) =>
  Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hourCycle: 'h23', ...options })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  )

// 2026-11-28 20:06:31, Beijing time, whatever the phone's own zone.
export function clockText(date) {
  const p = parts(date, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  })
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

export function minuteText(iso) {
  return clockText(new Date(iso)).slice(0, 16)
}

export function today() {
  return clockText(new Date()).slice(0, 10)
}

// The calendar day after a YYYY-MM-DD date (the day a colour that holds through it is over).
export function dayAfter(isoDate) {
  const d = new Date(`${isoDate}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

// The first field error at `name` or below it (declaration.visited_regions.0 for
// declaration.visited_regions), from an ApiError.
export function fieldError(error, name) {
  if (!error) return null
  const fields = error.fields
  if (fields[name]) return fields[name]
  return Object.values(fields).find((e) => e.field.startsWith(`${name}.`)) || null
}

// A binary answer fetched with the bearer token in a header, handed to the page as a blob: URL.
export async function blobUrl(path, accept) {
  const response = await api.request('GET', path, undefined, { accept, raw: true })
  const body = await response.blob()
  return URL.createObjectURL(new Blob([body], { type: accept }))
}

// Saves a binary answer as a file through a blob: link (the token never goes into a URL).
export async function download(path, accept, filename) {
  const url = await blobUrl(path, accept)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60000)
}

// Reason codes in words, from the active policy (public, fetched once): the history names
// reasons by code only.
let policyReasons = null
export function reasonWords() {
  if (!policyReasons) {
    policyReasons = api
      .get('/v1/policy')
      .then((policy) => {
        const out = {}
        for (const rule of [...policy.rules, policy.fallback]) out[rule.reason.code] = rule.reason
        return out
      })
      .catch(() => {
        policyReasons = null
        return {}
      })
  }
  return policyReasons
}
