// The checker page's service worker (served at /app/sw.js, registered for the scope /app/scan):
// a phone discards a background tab, and the checker must still open the page with no network to
// verify codes offline with the keys and trust list the page keeps in localStorage.
// - the page's HTML: network first (a new build is picked up online), the cached copy offline;
// - the page's hashed assets (scripts, styles, the QR decoder's .wasm): from the cache, cached at
//   install (the list comes from the build) and, for any the list missed, on first use;
// - anything else, and every /v1/ API answer: the network, never cached.
// The build (web/vite.config.js) replaces the two constants below; the cache is named by the build.
const BUILD = '__BUILD__'
const ASSETS = [] /* __ASSETS__ */
const PAGE = '/app/scan'
const CACHE = `healthcode-scan-${BUILD}`

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([PAGE, ...ASSETS]))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('healthcode-scan-') && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== self.location.origin) return
  if (url.pathname === PAGE && request.mode === 'navigate') event.respondWith(page(request))
  else if (url.pathname.startsWith('/app/assets/')) event.respondWith(asset(request))
})

async function page(request) {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request)
    if (response.ok) await cache.put(PAGE, response.clone())
    return response
  } catch (error) {
    const cached = await cache.match(PAGE)
    if (cached) return cached
    throw error
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE)
  const cached = await cache.match(request, { ignoreVary: true })
  if (cached) return cached
  const response = await fetch(request)
  if (response.ok) await cache.put(request, response.clone())
  return response
}
