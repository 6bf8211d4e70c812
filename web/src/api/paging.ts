// The state of a list page over a GraphQL connection: its rows so far, the total, whether there are more, loading
// and the error to show. Every list page (customers, projects and the plugins' lists) uses it.
import { ref, type Ref } from 'vue'

/** The part of a connection a list page reads. */
export interface Page<Row> {
  edges: readonly { node: Row }[]
  totalCount?: number | null
  pageInfo: { endCursor?: string | null; hasNextPage: boolean }
}

export interface PagedList<Row> {
  rows: Ref<Row[]>
  total: Ref<number>
  hasMore: Ref<boolean>
  loading: Ref<boolean>
  error: Ref<string>
  /** The filter value of the rows shown (a data- attribute on the table: the browser tests wait for it). */
  applied: Ref<string>
  /** Load the first page again, or (``more``) the next one after the rows shown. */
  load: (more?: boolean) => Promise<void>
}

/** A list page's state; ``fetch(after)`` asks for the page after the cursor (null: the first), ``applied()`` gives
 * the filter value the page was asked for. */
export function usePagedList<Row>(fetch: (after: string | null) => Promise<Page<Row>>,
  applied: () => string = () => ''): PagedList<Row> {
  const rows = ref<Row[]>([]) as Ref<Row[]>
  const total = ref(0)
  const after = ref<string | null>(null)
  const hasMore = ref(false)
  const loading = ref(false)
  const error = ref('')
  const shown = ref('')

  async function load(more = false) {
    loading.value = true
    error.value = ''
    try {
      const page = await fetch(more ? after.value : null)
      const nodes = page.edges.map((e) => e.node)
      rows.value = more ? [...rows.value, ...nodes] : nodes
      total.value = page.totalCount ?? rows.value.length
      after.value = page.pageInfo.endCursor ?? null
      hasMore.value = page.pageInfo.hasNextPage
      shown.value = applied()
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }

  return { rows, total, hasMore, loading, error, applied: shown, load }
}
