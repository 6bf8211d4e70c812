// Helpers the plugin pages share (this folder has no index.ts: it registers nothing).

/** Hand a base64 file the API returned (an .xlsx export or template) to the browser as a download. */
export function saveBase64(contentBase64: string, filename: string, contentType = 'application/octet-stream'): void {
  const bytes = Uint8Array.from(atob(contentBase64), (c) => c.charCodeAt(0))
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([bytes], { type: contentType }))
  link.download = filename
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
}

/** A chosen file's content as base64 (what the import mutations take). */
export async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** The message of whatever a request threw. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
