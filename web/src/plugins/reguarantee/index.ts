// The re-guarantee plugin's pages (再担保): partners and a partner's page, agreements, filings (confirm, reject,
// release), batch import from .xlsx (dry run, then import; the template), warnings, statistics with its chart and
// .xlsx export. docs/web-console.md, "Re-guarantee pages".
import { registerPlugin } from '@/extensions/registry'
import { en, zhCN } from './messages'

registerPlugin({
  plugin: 'reguarantee',
  routes: [
    { path: 'reguarantee/partners', name: 'rg-partners', component: () => import('./PartnersPage.vue') },
    { path: 'reguarantee/partners/:id', name: 'rg-partner', component: () => import('./PartnerPage.vue'),
      props: true },
    { path: 'reguarantee/agreements', name: 'rg-agreements', component: () => import('./AgreementsPage.vue') },
    { path: 'reguarantee/filings', name: 'rg-filings', component: () => import('./FilingsPage.vue') },
    { path: 'reguarantee/import', name: 'rg-import', component: () => import('./ImportPage.vue') },
    { path: 'reguarantee/warnings', name: 'rg-warnings', component: () => import('./WarningsPage.vue') },
    { path: 'reguarantee/statistics', name: 'rg-statistics', component: () => import('./StatisticsPage.vue') },
  ],
  menu: [
    { route: 'rg-partners', label: 'reguarantee.menu.partners', order: 60, permission: 'reguarantee:partner:read' },
    { route: 'rg-filings', label: 'reguarantee.menu.filings', order: 61, permission: 'reguarantee:filing:read' },
    { route: 'rg-statistics', label: 'reguarantee.menu.statistics', order: 62, permission: 'reguarantee:monitor:read' },
  ],
  messages: { 'zh-CN': { reguarantee: zhCN }, en: { reguarantee: en } },
})
