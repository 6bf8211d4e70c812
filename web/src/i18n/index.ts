// vue-i18n with zh-CN (default) and English; the choice is kept in localStorage and sent to the API as
// Accept-Language so its error messages come back in the same language.
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'

export type Locale = 'zh-CN' | 'en'
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
]

function initial(): Locale {
  const kept = typeof localStorage !== 'undefined' ? localStorage.getItem('surety.locale') : null
  return kept === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem('surety.locale', locale)
  document.documentElement.lang = locale
}
