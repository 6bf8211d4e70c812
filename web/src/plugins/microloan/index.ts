// The microloan plugin's pages (小额贷款): loans with filters and balances, a loan's page (schedule, repayments),
// the dashboard. docs/web-console.md, "Microloan pages".
import { registerPlugin } from '@/extensions/registry'
import { en, zhCN } from './messages'

registerPlugin({
  plugin: 'microloan',
  routes: [
    { path: 'loans', name: 'ml-loans', component: () => import('./LoansPage.vue') },
    { path: 'loans/:id', name: 'ml-loan', component: () => import('./LoanPage.vue'), props: true },
    { path: 'loans-dashboard', name: 'ml-dashboard', component: () => import('./DashboardPage.vue') },
  ],
  menu: [
    { route: 'ml-loans', label: 'microloan.menu.loans', order: 50, permission: 'microloan:loan:read' },
    { route: 'ml-dashboard', label: 'microloan.menu.dashboard', order: 51, permission: 'microloan:dashboard:read' },
  ],
  messages: { 'zh-CN': { microloan: zhCN }, en: { microloan: en } },
})
