import { createRouter, createWebHistory } from 'vue-router'
import { pluginRoutes, isEnabled } from '@/extensions'
import { session, signedIn, loadMe } from '@/session'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('@/components/AppLayout.vue'),
      children: [
        { path: '', redirect: { name: 'inbox' } },
        { path: 'not-enabled', name: 'not-enabled', component: () => import('@/pages/NotEnabledPage.vue') },
        ...pluginRoutes(),
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!signedIn()) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  const me = await loadMe()
  if (!me) return { name: 'login' }
  if (!isEnabled(to.meta.plugin as string | undefined, me.tenant.enabledPlugins)) return { name: 'not-enabled' }
  return true
})

export { session }
