// What every page component gets from the shell.
import type { Operator } from './api-types.ts';

export interface PageProps {
  /** Who is logged in (the layout hides what their role may not do). */
  readonly operator: Operator;
  /** The route's `:name` segments. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string: pages keep their state (filters, paging) there. */
  readonly search: URLSearchParams;
}
