import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const page = (name) => fileURLToPath(new URL(name, import.meta.url))

// Three pages served by the API (chalicelib/api/pages.py): /app/ (holder), /app/scan (checker),
// /app/console (authority). The build goes inside chalicelib/ so that `chalice package` ships it;
// it is not committed. Nothing is loaded from a CDN.
// Vant's icon font names a CDN copy after its inline one: drop it, so no page ever asks for it.
const noRemoteUrls = {
  name: 'healthcode-no-remote-urls',
  generateBundle(_, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type === 'asset' && file.fileName.endsWith('.css')) {
        file.source = String(file.source).replace(/,\s*url\((?:https?:)?\/\/[^)]*\)\s*format\("[^"]*"\)/g, '')
      }
    }
  },
}

// The checker page's service worker (src/scan/sw.js, served at /app/sw.js): written out with the
// assets the checker page uses (its entry, every chunk it imports, now or later, their styles and
// assets, the QR decoder's .wasm) and a build id naming its cache (docs/decisions/0035).
const scanServiceWorker = {
  name: 'healthcode-scan-service-worker',
  generateBundle(_, bundle) {
    const files = Object.values(bundle)
    const entry = files.find((f) => f.type === 'chunk' && f.isEntry && f.name === 'scan')
    if (!entry) throw new Error('no scan entry in the bundle')
    const seen = new Set()
    const walk = (fileName) => {
      if (seen.has(fileName)) return
      seen.add(fileName)
      const chunk = bundle[fileName]
      if (!chunk || chunk.type !== 'chunk') return
      for (const css of chunk.viteMetadata?.importedCss || []) seen.add(css)
      for (const asset of chunk.viteMetadata?.importedAssets || []) seen.add(asset)
      for (const next of [...chunk.imports, ...chunk.dynamicImports]) walk(next)
    }
    walk(entry.fileName)
    for (const f of files) if (f.fileName.endsWith('.wasm')) seen.add(f.fileName) // the decoder's
    const assets = [...seen].filter((f) => f.startsWith('assets/')).sort().map((f) => `/app/${f}`)
    const template = readFileSync(page('src/scan/sw.js'), 'utf-8')
    const build = createHash('sha256').update(template).update(assets.join('\n')).digest('hex').slice(0, 16)
    const source = template
      .replace("'__BUILD__'", JSON.stringify(build))
      .replace('[] /* __ASSETS__ */', JSON.stringify(assets))
    this.emitFile({ type: 'asset', fileName: 'sw.js', source })
  },
}

export default defineConfig({
  base: '/app/',
  plugins: [vue(), noRemoteUrls, scanServiceWorker],
  build: {
    outDir: '../chalicelib/static',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    modulePreload: { polyfill: false }, // an inline script otherwise; the CSP allows none
    rollupOptions: {
      input: { holder: page('index.html'), scan: page('scan.html'), console: page('console.html') },
    },
  },
})
