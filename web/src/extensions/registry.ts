// The extension point: how a plugin contributes pages to the console (docs/web-console.md, "Extension point").
//
// A plugin's folder src/plugins/<key>/index.ts calls `registerPlugin({...})` once; every such file is loaded by
// src/extensions/index.ts. Its routes are children of the signed-in layout, its menu entries appear in the side
// menu, and both exist only for tenants with the plugin enabled (`me.tenant.enabledPlugins`; the key `core` is
// always on). Its messages are merged into vue-i18n under the plugin's key.
import type { Component } from 'vue'
import type { RouteLocationRaw, RouteRecordRaw } from 'vue-router'

export interface MenuEntry {
  /** The route's name the entry opens. */
  route: string
  /** An i18n key of the entry's label. */
  label: string
  /** Smaller comes first (core's inbox is 0, customers 20, guarantee 30-40, workflows 90). */
  order: number
  icon?: Component
  /** The permission (e.g. `guarantee:project:read`, as in `me.permissions`) a user needs to see the entry; none: every
   *  signed-in user. The API checks the permission anyway: this only keeps people from menus they cannot use. */
  permission?: string
}

export interface PluginContribution {
  /** The server plugin's key (as in TenantInfo.enabledPlugins), or `core`. */
  plugin: string
  /** Child routes of the signed-in layout; paths are relative (no leading slash). */
  routes: RouteRecordRaw[]
  menu?: MenuEntry[]
  /** Where a workflow subject of this plugin opens (the inbox's "open the subject"): subject type -> route. */
  subjects?: Record<string, (subjectId: string) => RouteLocationRaw>
  /** Messages by locale, merged under the top-level key given by the plugin (`$t('<key>.…')`). */
  messages?: { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> }
}

const contributions = new Map<string, PluginContribution>()

export function registerPlugin(contribution: PluginContribution): void {
  if (contributions.has(contribution.plugin)) throw new Error(`plugin ${contribution.plugin} registered twice`)
  contributions.set(contribution.plugin, contribution)
}

export function contributed(): PluginContribution[] {
  return [...contributions.values()]
}

/** Whether the tenant has the plugin: `core` always; others when listed in the tenant's enabled plugins. */
export function isEnabled(plugin: string | undefined, enabled: readonly string[]): boolean {
  return !plugin || plugin === 'core' || enabled.includes(plugin)
}

/** Every contributed route, each marked with its plugin (`meta.plugin`, checked by the router's guard). */
export function pluginRoutes(): RouteRecordRaw[] {
  return contributed().flatMap((c) =>
    c.routes.map((route) => ({ ...route, meta: { ...(route.meta ?? {}), plugin: c.plugin } }) as RouteRecordRaw))
}

/** The side menu for a user: the entries of the tenant's enabled plugins whose permission the user holds, by order. */
export function menuFor(enabled: readonly string[], permissions: readonly string[]): MenuEntry[] {
  return contributed()
    .filter((c) => isEnabled(c.plugin, enabled))
    .flatMap((c) => c.menu ?? [])
    .filter((entry) => !entry.permission || permissions.includes(entry.permission))
    .sort((a, b) => a.order - b.order)
}

/** The page of a workflow subject (an instance's subjectType and subjectId), when an enabled plugin has one. */
export function subjectRoute(subjectType: string, subjectId: string, enabled: readonly string[]): RouteLocationRaw | null {
  for (const c of contributed()) {
    const open = c.subjects?.[subjectType]
    if (open && isEnabled(c.plugin, enabled)) return open(subjectId)
  }
  return null
}
