import { createApp } from 'vue'
import { Button, CellGroup, Field, Form } from 'vant'
// Each component's own style, not the whole library's (the holder page's budget is 150 KB gz).
import 'vant/es/button/style'
import 'vant/es/cell-group/style'
import 'vant/es/field/style'
import 'vant/es/form/style'
import '../common/base.css'
import App from './App.vue'

createApp(App).use(Button).use(CellGroup).use(Field).use(Form).mount('#app')

// Keeps the page and its assets so that it opens with no network after the phone discarded the
// tab, for offline verification (src/scan/sw.js; not in the dev server, which has no /app/sw.js).
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/scan' }).catch(() => {})
}
