import { createApp } from 'vue'
import { Button, CellGroup, Checkbox, CheckboxGroup, Field, Form } from 'vant'
// Each component's own style, not the whole library's (the holder page's budget is 150 KB gz).
import 'vant/es/button/style'
import 'vant/es/cell-group/style'
import 'vant/es/checkbox/style'
import 'vant/es/checkbox-group/style'
import 'vant/es/field/style'
import 'vant/es/form/style'
import '../common/base.css'
import './holder.css'
import App from './App.vue'

createApp(App).use(Button).use(CellGroup).use(Checkbox).use(CheckboxGroup).use(Field).use(Form).mount('#app')
