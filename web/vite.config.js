import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Served by the API under /app/ (chalicelib/api/pages.py); nothing from a CDN.
export default defineConfig({
  base: '/app/',
  plugins: [vue()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false },
})
