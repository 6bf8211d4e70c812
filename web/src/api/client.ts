// A small fetch-based GraphQL client: POST /graphql with the bearer token and the user's language
// (Accept-Language), so every error message the API sends is already in that language.
import type { TypedDocumentString } from '@/gql/graphql'
import { session, refreshAccess, expireSession } from '@/session'
import { currentLocale } from '@/i18n'

export interface UserError { code: string; message: string; field?: string | null }

/** An error the API answered (top-level GraphQL error or an HTTP refusal), message in the user's language. */
export class ApiError extends Error {
  constructor(message: string, public code: string = 'ERROR') {
    super(message)
  }
}

interface GraphQLBody<T> { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] }

async function post<T>(query: string, variables: unknown, token: string | null): Promise<GraphQLBody<T>> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Accept-Language': currentLocale(),
  }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) })
  try {
    return (await response.json()) as GraphQLBody<T>
  } catch {
    throw new ApiError(`HTTP ${response.status}`, 'HTTP')
  }
}

/** Run one typed operation; top-level errors become an {@link ApiError}. An expired access token is refreshed
 *  once; a refused refresh ends the session (back to the login page). */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const query = document.toString()
  let body = await post<TResult>(query, variables ?? {}, session.accessToken)
  if (body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') && session.refreshToken) {
    if (await refreshAccess()) body = await post<TResult>(query, variables ?? {}, session.accessToken)
    else expireSession()
  }
  if (body.errors?.length) {
    const first = body.errors[0]
    throw new ApiError(first.message, first.extensions?.code ?? 'ERROR')
  }
  return body.data as TResult
}

/** Fetch a protected file (an attachment) with the bearer token and hand it to the browser as a download. */
export async function download(url: string, filename: string): Promise<void> {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${session.accessToken ?? ''}`, 'Accept-Language': currentLocale() },
  })
  if (!response.ok) {
    let message = `HTTP ${response.status}`
    try { message = (await response.json()).errors?.[0]?.message ?? message } catch { /* not JSON */ }
    throw new ApiError(message, 'HTTP')
  }
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = filename
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
}

/** Upload one file (POST /attachments, multipart) to an entity; the new attachment's database id. */
export async function upload(entityType: string, entityId: string, file: File): Promise<{ id: string; uuid: string }> {
  const form = new FormData()
  form.append('entity_type', entityType)
  form.append('entity_id', entityId)
  form.append('file', file)
  const response = await fetch('/attachments', {
    method: 'POST', body: form,
    headers: { Authorization: `Bearer ${session.accessToken ?? ''}`, 'Accept-Language': currentLocale() },
  })
  const body = await response.json()
  if (!response.ok) throw new ApiError(body.errors?.[0]?.message ?? `HTTP ${response.status}`, 'HTTP')
  return body.attachment
}

/** The UUID inside a Relay global id (base64 of "Type:uuid"), for APIs that take the raw id. */
export function rawId(globalId: string): string {
  try {
    const decoded = atob(globalId)
    return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : globalId
  } catch {
    return globalId
  }
}

/** The Relay global id of a database id. */
export function globalId(typeName: string, id: string): string {
  return btoa(`${typeName}:${id}`)
}
