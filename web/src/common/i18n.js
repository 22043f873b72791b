// Chinese first, with an English switch kept per browser. `tr('中文', 'English')` in templates.
import { ref } from 'vue'
import { Locale } from 'vant'
import enUS from 'vant/es/locale/lang/en-US'
import zhCN from 'vant/es/locale/lang/zh-CN'

const KEY = 'healthcode.lang'
export const lang = ref(localStorage.getItem(KEY) === 'en' ? 'en' : 'zh')

function apply() {
  document.documentElement.lang = lang.value === 'en' ? 'en' : 'zh-CN'
  Locale.use(lang.value === 'en' ? 'en-US' : 'zh-CN', lang.value === 'en' ? enUS : zhCN)
}
apply()

export function setLang(value) {
  lang.value = value
  localStorage.setItem(KEY, value)
  apply()
}

export function tr(zh, en) {
  return lang.value === 'en' ? en : zh
}

// A problem document's message in the page's language (the API sends both).
export function problemText(problem) {
  if (!problem) return ''
  return lang.value === 'en' ? problem.detail || problem.title : problem.detail_zh || problem.detail
}

export function fieldText(error) {
  return lang.value === 'en' ? error.message : error.message_zh || error.message
}
