// Display helpers. Amounts arrive as decimal strings and are never turned into floating point.

/** "1234567.5" -> "1,234,567.50" (two places, thousands separators). */
export function money(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const negative = value.startsWith('-')
  const [whole, frac = ''] = (negative ? value.slice(1) : value).split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}${grouped}.${(frac + '00').slice(0, 2)}`
}

/** A rate as a percentage: "0.018" -> "1.8%" (string arithmetic on the decimal point). */
export function percent(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const negative = value.startsWith('-')
  const [whole, frac = ''] = (negative ? value.slice(1) : value).split('.')
  const digits = (frac + '00').split('')
  const intPart = String(Number(whole + digits.slice(0, 2).join('')))
  const rest = digits.slice(2).join('').replace(/0+$/, '')
  return `${negative ? '-' : ''}${intPart}${rest ? '.' + rest.slice(0, 2) : ''}%`
}

/** An ISO timestamp in the viewer's local time, "2026-12-03 16:20". */
export function datetime(value: string | null | undefined): string {
  if (!value) return '—'
  const d = new Date(value)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A value for charts only (ECharts needs numbers; the figures shown as text stay exact). */
export function chartNumber(value: string): number {
  return Number(value)
}

/** Today's business date (China), "2026-12-04": the API's business dates are Beijing dates. */
export function businessToday(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

/** A date plus whole months, "2026-01-31" + 1 -> "2026-02-28" (the month's last day when it is shorter). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number)
  const total = y * 12 + (m - 1) + months
  const year = Math.floor(total / 12)
  const month = (total % 12) + 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}
