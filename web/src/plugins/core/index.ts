// Core's pages: the inbox (workflow tasks) and the workflow definition viewer.
import { registerPlugin } from '@/extensions/registry'

registerPlugin({
  plugin: 'core',
  routes: [
    { path: 'inbox', name: 'inbox', component: () => import('@/pages/InboxPage.vue') },
    { path: 'workflows', name: 'workflows', component: () => import('@/pages/WorkflowsPage.vue') },
    { path: 'permissions', name: 'permissions', component: () => import('@/pages/PermissionMatrixPage.vue') },
  ],
  menu: [
    { route: 'inbox', label: 'menu.inbox', order: 0 },
    { route: 'workflows', label: 'menu.workflows', order: 90, permission: 'core:workflow:read' },
    { route: 'permissions', label: 'menu.permissions', order: 95, permission: 'core:role:read' },
  ],
})
