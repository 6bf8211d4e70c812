// Loads every plugin's contribution (src/plugins/<key>/index.ts) and its messages. A new plugin folder is picked
// up by the build without editing this file.
import { contributed } from './registry'
import { i18n } from '@/i18n'

import.meta.glob('../plugins/*/index.ts', { eager: true })

for (const c of contributed()) {
  if (!c.messages) continue
  i18n.global.mergeLocaleMessage('zh-CN', c.messages['zh-CN'])
  i18n.global.mergeLocaleMessage('en', c.messages.en)
}

export * from './registry'
