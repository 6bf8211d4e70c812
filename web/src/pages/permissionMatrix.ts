// The permission matrix editor's operations (core authz: roles x permissions of the tenant's enabled plugins).
import { graphql } from '@/gql'

export const PermissionMatrix = graphql(`
  query PermissionMatrix {
    permissionMatrix { roles { key name dataScope description } permissions { key plugin description }
      grants { role permissions } }
  }
`)

export const PermissionMatrixUpdate = graphql(`
  mutation PermissionMatrixUpdate($changes: [GrantInput!]!) {
    permissionMatrixUpdate(changes: $changes) {
      matrix { roles { key name dataScope description } permissions { key plugin description }
        grants { role permissions } }
      errors { code message field }
    }
  }
`)

/** The grant changes between the saved grants and the edited ones: one per cell that differs, sorted. */
export function grantChanges(saved: ReadonlySet<string>, edited: ReadonlySet<string>):
  { role: string; permission: string; granted: boolean }[] {
  const out: { role: string; permission: string; granted: boolean }[] = []
  for (const cell of edited) if (!saved.has(cell)) out.push({ ...splitCell(cell), granted: true })
  for (const cell of saved) if (!edited.has(cell)) out.push({ ...splitCell(cell), granted: false })
  return out.sort((a, b) => `${a.role} ${a.permission}`.localeCompare(`${b.role} ${b.permission}`))
}

/** A cell's key: "<role> <permission>" (neither contains a space). */
export const cellKey = (role: string, permission: string) => `${role} ${permission}`
function splitCell(cell: string) {
  const [role, permission] = cell.split(' ')
  return { role, permission }
}
