// The finance plugin's pages (业财一体化): vouchers, a voucher (lines; review, post), the trial balance.
// docs/web-console.md, "Finance pages".
import { registerPlugin } from '@/extensions/registry'
import { en, zhCN } from './messages'

registerPlugin({
  plugin: 'finance',
  routes: [
    { path: 'finance/vouchers', name: 'fin-vouchers', component: () => import('./VouchersPage.vue') },
    { path: 'finance/vouchers/:id', name: 'fin-voucher', component: () => import('./VoucherPage.vue'), props: true },
    { path: 'finance/trial-balance', name: 'fin-trial-balance', component: () => import('./TrialBalancePage.vue') },
  ],
  menu: [
    { route: 'fin-vouchers', label: 'finance.menu.vouchers', order: 80, permission: 'finance:voucher:read' },
    { route: 'fin-trial-balance', label: 'finance.menu.trialBalance', order: 81, permission: 'finance:voucher:read' },
  ],
  messages: { 'zh-CN': { finance: zhCN }, en: { finance: en } },
})
