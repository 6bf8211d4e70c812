// The signed-in user's session: tokens (kept in sessionStorage, gone with the tab), tenant and user.
import { reactive } from 'vue'
import type { TypedDocumentString } from '@/gql/graphql'
import { TokenRefresh, Me } from '@/api/operations'
import type { MeQuery } from '@/gql/graphql'
import { currentLocale } from '@/i18n'

const KEY = 'surety.session'

interface Stored { tenant: string; accessToken: string | null; refreshToken: string | null }

export const session = reactive({
  tenant: '' as string,
  accessToken: null as string | null,
  refreshToken: null as string | null,
  me: null as MeQuery['me'] | null,
})

function save(): void {
  const stored: Stored = { tenant: session.tenant, accessToken: session.accessToken, refreshToken: session.refreshToken }
  sessionStorage.setItem(KEY, JSON.stringify(stored))
}

export function restore(): void {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null
    if (stored) Object.assign(session, stored)
  } catch { /* nothing kept */ }
  session.tenant ||= localStorage.getItem('surety.tenant') ?? ''
}

export function signIn(tenant: string, accessToken: string, refreshToken: string | null): void {
  Object.assign(session, { tenant, accessToken, refreshToken })
  localStorage.setItem('surety.tenant', tenant)
  save()
}

export function expireSession(): void {
  Object.assign(session, { accessToken: null, refreshToken: null, me: null })
  save()
  if (!location.pathname.startsWith('/login')) location.assign('/login')
}

export const signedIn = (): boolean => !!session.accessToken

// Raw posts here (not client.request) so refreshing never recurses into itself.
async function raw<T, V>(doc: TypedDocumentString<T, V>, variables: V, token?: string | null): Promise<T | null> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Accept-Language': currentLocale() }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch('/graphql', {
    method: 'POST', headers, body: JSON.stringify({ query: doc.toString(), variables }),
  })
  const body = await response.json().catch(() => null)
  return body?.errors?.length ? null : (body?.data ?? null)
}

export async function refreshAccess(): Promise<boolean> {
  if (!session.refreshToken) return false
  const data = await raw(TokenRefresh, { refreshToken: session.refreshToken })
  const payload = data?.tokenRefresh
  if (!payload?.accessToken || payload.errors.length) return false
  session.accessToken = payload.accessToken
  session.refreshToken = payload.refreshToken ?? session.refreshToken
  save()
  return true
}

/** Who is signed in (user, tenant with its enabled plugins, permissions); loaded once per page load. */
export async function loadMe(): Promise<MeQuery['me'] | null> {
  if (session.me) return session.me
  let data = await raw(Me, {}, session.accessToken)
  if (!data && (await refreshAccess())) data = await raw(Me, {}, session.accessToken)
  session.me = data?.me ?? null
  return session.me
}
