// The fleet table's state lives in the URL, in the API's own parameter names, so a link (from
// the overview, a colleague, a bookmark) opens exactly that view and the API gets it unchanged.

export const FILTER_PARAMS = [
  'q',
  'online',
  'enabled',
  'applied',
  'trouble',
  'has_error',
  'not_reporting',
  'backend',
  'wan_proto',
  'model',
  'blocked_min',
] as const;
export type FilterParam = (typeof FILTER_PARAMS)[number];

export const PAGE_SIZES = [10, 25, 50, 100, 200] as const;
export const DEFAULT_LIMIT = 50;

export interface FleetView {
  readonly filters: Readonly<Partial<Record<FilterParam, string>>>;
  /** An API sort key, `-key` for descending. */
  readonly sort: string;
  readonly offset: number;
  readonly limit: number;
}

export function viewFrom(search: URLSearchParams): FleetView {
  const filters: Partial<Record<FilterParam, string>> = {};
  for (const name of FILTER_PARAMS) {
    const value = search.get(name);
    if (value !== null && value !== '') filters[name] = value;
  }
  const offset = Number(search.get('offset') ?? 0);
  const limit = Number(search.get('limit') ?? DEFAULT_LIMIT);
  return {
    filters,
    sort: search.get('sort') ?? 'id',
    offset: Number.isInteger(offset) && offset >= 0 ? offset : 0,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_LIMIT,
  };
}

/** The page's URL query (defaults left out). */
export function viewSearch(view: FleetView): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(view.filters)) if (value) search.set(name, value);
  if (view.sort !== 'id') search.set('sort', view.sort);
  if (view.offset > 0) search.set('offset', String(view.offset));
  if (view.limit !== DEFAULT_LIMIT) search.set('limit', String(view.limit));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** GET /routers's query for this view. */
export function listQuery(view: FleetView): string {
  const search = new URLSearchParams(view.filters as Record<string, string>);
  search.set('sort', view.sort);
  search.set('offset', String(view.offset));
  search.set('limit', String(view.limit));
  return `?${search}`;
}

/** The export's query: the same filters and order, every matching router. */
export function exportQuery(view: FleetView): string {
  const search = new URLSearchParams(view.filters as Record<string, string>);
  search.set('sort', view.sort);
  return `?${search}`;
}
