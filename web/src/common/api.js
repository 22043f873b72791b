// The API client: JSON in and out, problem documents as ApiError, the access token in session
// storage (never in a URL), one per page so a checker's and a resident's logins do not mix.
const TIMEOUT_MS = 15000

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || `HTTP ${status}`)
    this.status = status
    this.problem = problem
    this.code = problem.code
  }

  // Field errors by field name (the `errors` of a 400), for showing beside each input.
  get fields() {
    const out = {}
    for (const error of this.problem.errors || []) {
      if (error.field && !(error.field in out)) out[error.field] = error
    }
    return out
  }
}

const OFFLINE = {
  code: 'network_unavailable',
  detail: 'The network is unavailable. Try again.',
  detail_zh: '网络不可用，请稍后重试。',
  errors: [],
}

export function session(scope) {
  const key = `healthcode.${scope}.token`
  return {
    get token() {
      return sessionStorage.getItem(key)
    },
    set token(value) {
      if (value) sessionStorage.setItem(key, value)
      else sessionStorage.removeItem(key)
    },
  }
}

export function client(scope) {
  const store = session(scope)

  async function request(method, path, body, { accept = 'application/json', raw = false } = {}) {
    const headers = { Accept: accept }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (store.token) headers.Authorization = `Bearer ${store.token}`
    let response
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch {
      throw new ApiError(0, OFFLINE)
    }
    if (response.status === 401 && store.token) store.token = null
    if (!response.ok) {
      let problem
      try {
        problem = await response.json()
      } catch {
        problem = { detail: `HTTP ${response.status}`, detail_zh: `请求失败（${response.status}）` }
      }
      throw new ApiError(response.status, problem)
    }
    if (raw) return response
    if (response.status === 204) return null
    return response.json()
  }

  return {
    session: store,
    request,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body = {}, options) => request('POST', path, body, options),
    put: (path, body, options) => request('PUT', path, body, options),
    del: (path, options) => request('DELETE', path, undefined, options),
    async login(phone, code) {
      const answer = await request('POST', '/v1/auth/token', { phone, code })
      store.token = answer.access_token
      return answer
    },
    logout() {
      store.token = null
    },
  }
}
