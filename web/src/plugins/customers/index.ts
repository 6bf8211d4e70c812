// The customers plugin's pages: search list, create/edit, detail with history and blacklist.
import { registerPlugin } from '@/extensions/registry'

registerPlugin({
  plugin: 'customers',
  routes: [
    { path: 'customers', name: 'customers', component: () => import('@/pages/CustomersPage.vue') },
    { path: 'customers/:id', name: 'customer', component: () => import('@/pages/CustomerPage.vue'), props: true },
  ],
  menu: [{ route: 'customers', label: 'menu.customers', order: 20, permission: 'customers:customer:read' }],
})
