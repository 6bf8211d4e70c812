// The guarantee plugin's pages: project list and project page, review committee meetings, the leaders' dashboard.
import { registerPlugin } from '@/extensions/registry'
import { globalId } from '@/api/client'

registerPlugin({
  plugin: 'guarantee',
  routes: [
    { path: 'projects', name: 'projects', component: () => import('@/pages/ProjectsPage.vue') },
    { path: 'projects/new', name: 'application', component: () => import('@/pages/ApplicationPage.vue') },
    { path: 'projects/:id', name: 'project', component: () => import('@/pages/ProjectPage.vue'), props: true },
    { path: 'meetings', name: 'meetings', component: () => import('@/pages/MeetingsPage.vue') },
    { path: 'dashboard', name: 'dashboard', component: () => import('@/pages/DashboardPage.vue') },
    { path: 'portal', name: 'portal', component: () => import('@/pages/PortalProjectsPage.vue') },
    { path: 'portal/:id', name: 'portal-project', component: () => import('@/pages/PortalProjectPage.vue'), props: true },
  ],
  subjects: {
    'guarantee:project': (id) => ({ name: 'project', params: { id: globalId('GuaranteeProject', id) } }),
  },
  menu: [
    { route: 'projects', label: 'menu.projects', order: 30, permission: 'guarantee:project:read' },
    { route: 'meetings', label: 'menu.meetings', order: 35, permission: 'guarantee:meeting:read' },
    { route: 'dashboard', label: 'menu.dashboard', order: 40, permission: 'guarantee:dashboard:read' },
    { route: 'portal', label: 'menu.portal', order: 45, permission: 'guarantee:portal:use' },
  ],
})
