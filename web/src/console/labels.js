// Words the console shows for the API's codes, Chinese first (tr). Colours are always words too.
import { tr } from '../common/i18n.js'

export const colorText = (c) =>
  ({ green: tr('绿码', 'Green'), yellow: tr('黄码', 'Yellow'), red: tr('红码', 'Red') })[c] || c || '—'

export const riskText = (r) =>
  ({ high: tr('高风险', 'High risk'), medium: tr('中风险', 'Medium risk'), low: tr('低风险', 'Low risk') })[r] || r

export const PLACE_TYPES = ['community', 'restaurant', 'mall', 'hospital', 'hotel', 'transport', 'tourism', 'office', 'other']
export const placeTypeText = (t) =>
  ({
    community: tr('社区', 'Community'),
    restaurant: tr('餐饮', 'Restaurant'),
    mall: tr('商场', 'Mall'),
    hospital: tr('医院', 'Hospital'),
    hotel: tr('酒店', 'Hotel'),
    transport: tr('交通', 'Transport'),
    tourism: tr('旅游', 'Tourism'),
    office: tr('办公', 'Office'),
    other: tr('其他', 'Other'),
  })[t] || t

export const jobStateText = (s) =>
  ({ running: tr('进行中', 'Running'), done: tr('已完成', 'Done'), abandoned: tr('已中止', 'Abandoned') })[s] || s

export const jobKindText = (k) =>
  ({
    region: tr('地区风险变更', 'Region change'),
    recompare: tr('全量重新比对', 'Recompare'),
    import: tr('导入记录', 'Import'),
    expire: tr('结束到期状态', 'Expiry'),
    purge: tr('清理过期数据', 'Purge'),
  })[k] || k

export const actorKindText = (k) =>
  ({
    system: tr('系统', 'System'),
    authority: tr('卫生健康部门', 'Health authority'),
    self: tr('本人', 'Self'),
    guardian: tr('监护人', 'Guardian'),
    checker: tr('核验员', 'Checker'),
  })[k] || k

// "2026-11-28T12:00:00+00:00" → local time, minutes, as staff read it.
export function when(iso) {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
