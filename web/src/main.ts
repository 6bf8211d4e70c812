import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { i18n } from './i18n'
import { restore } from './session'
import { router } from './router'
import './styles.css'

restore()
createApp(App).use(i18n).use(ElementPlus).use(router).mount('#app')
