// A queue the authority decides item by item (appeals, claims): the listing by status, a page at
// a time where the API pages it, a form per item, and a decision that replaces the item with the
// server's answer.
import { reactive, ref } from 'vue'

export function useQueue(api, { path, field, key, blank }) {
  const status = ref('open')
  const items = ref([])
  const next = ref(null)
  const error = ref(null)
  const loaded = ref(false)
  const forms = reactive({}) // item id → {...blank, busy, error}

  async function load(more = false) {
    error.value = null
    try {
      const cursor = more && next.value ? `&cursor=${encodeURIComponent(next.value)}` : ''
      const page = await api.get(`${path}?status=${status.value}${cursor}`)
      for (const item of page[field]) forms[item[key]] ||= { ...blank, busy: false, error: null }
      items.value = more ? [...items.value, ...page[field]] : page[field]
      next.value = page.next ?? null
      loaded.value = true
    } catch (e) {
      error.value = e
    }
  }

  async function resolve(item, body) {
    const f = forms[item[key]]
    f.busy = true
    f.error = null
    try {
      const done = await api.post(`${path}/${item[key]}/resolve`, body)
      items.value = items.value.map((i) => (i[key] === done[key] ? done : i))
    } catch (e) {
      f.error = e
    } finally {
      f.busy = false
    }
  }

  return { status, items, next, error, loaded, forms, load, resolve }
}
