import { createApp } from 'vue'
import { Button, CellGroup, Field, Form } from 'vant'
// Each component's own style, not the whole library's.
import 'vant/es/button/style'
import 'vant/es/cell-group/style'
import 'vant/es/field/style'
import 'vant/es/form/style'
import '../common/base.css'
import './console.css'
import App from './App.vue'

createApp(App).use(Button).use(CellGroup).use(Field).use(Form).mount('#app')
