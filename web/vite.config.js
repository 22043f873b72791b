import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
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

export default defineConfig({
  base: '/app/',
  plugins: [vue(), noRemoteUrls],
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
