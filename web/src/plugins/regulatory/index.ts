// The regulatory plugin's pages (监管报表): the measures at a day's end (liability balance and its breakdown,
// limits, concentration, asset ratios, indicators; in 万元), the reports with their due dates, one report in its
// form's layout (fill again, review, lock, correct, export .xlsx). docs/web-console.md, "Regulatory pages".
import { registerPlugin } from '@/extensions/registry'
import { en, zhCN } from './messages'

registerPlugin({
  plugin: 'regulatory',
  routes: [
    { path: 'regulatory/measures', name: 'reg-measures', component: () => import('./MeasuresPage.vue') },
    { path: 'regulatory/reports', name: 'reg-reports', component: () => import('./ReportsPage.vue') },
    { path: 'regulatory/reports/:id', name: 'reg-report', component: () => import('./ReportPage.vue'), props: true },
  ],
  menu: [
    { route: 'reg-measures', label: 'regulatory.menu.measures', order: 70, permission: 'regulatory:report:read' },
    { route: 'reg-reports', label: 'regulatory.menu.reports', order: 71, permission: 'regulatory:report:read' },
  ],
  messages: { 'zh-CN': { regulatory: zhCN }, en: { regulatory: en } },
})
