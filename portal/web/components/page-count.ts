// The line above a paged list: "Loading…" until its first page is in, then the range shown of
// the total ("Runs 11–20 of 34, newest first"), or the list's own words when nothing matches.
// A live region (role status), so a screen reader hears the new range after paging. While
// the next page loads the line keeps the last loaded one: a range mixing the new offset with
// the old rows would name rows that are not shown.
import { useRef } from 'preact/hooks';
import { count } from '../format-values.ts';
import { html } from '../html.ts';

export interface PageShown {
  readonly offset: number;
  readonly rows: number;
  readonly total: number;
}

export interface PageCountProps {
  /** The line's data-testid. */
  readonly id: string;
  /** The page shown: its offset, its number of rows and the total; undefined until loaded. */
  readonly page: PageShown | undefined;
  /** Another page is on its way (useApi's `loading`): `page` may mix the old and the new. */
  readonly loading?: boolean;
  /** Words before the range ("Runs") and after it (", newest first", " routers"). */
  readonly before?: string;
  readonly after?: string;
  /** What to say when nothing matches; without it the range reads "0–0 of 0". */
  readonly empty?: string;
}

export function pageCountText(props: Omit<PageCountProps, 'id' | 'loading'>): string {
  const { page } = props;
  if (!page) return 'Loading…';
  if (page.total === 0 && props.empty !== undefined) return props.empty;
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = Math.min(page.offset + page.rows, page.total);
  const range = `${count(first)}–${count(last)} of ${count(page.total)}`;
  return `${props.before ? `${props.before} ` : ''}${range}${props.after ?? ''}`;
}

export function PageCount(props: PageCountProps) {
  const loaded = useRef<PageShown | undefined>(undefined);
  if (!props.loading || !loaded.current) loaded.current = props.page;
  return html`<span role="status" data-testid=${props.id}
    >${pageCountText({ ...props, page: loaded.current })}</span
  >`;
}
