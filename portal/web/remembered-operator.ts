// Who was logged in, kept for this tab (sessionStorage), so a page load need not wait for
// GET /me before it asks for its own data: /me still runs and corrects it, and the API decides
// what anyone may do. Display only: no secret is kept here (the session cookie is HttpOnly).
import type { Operator } from './api-types.ts';

const KEY = 'op25b.operator';

export function rememberedOperator(): Operator | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<Operator> | null;
    return value && typeof value.name === 'string' && typeof value.role === 'string'
      ? (value as Operator)
      : null;
  } catch {
    return null;
  }
}

export function rememberOperator(operator: Operator | null): void {
  try {
    if (operator) sessionStorage.setItem(KEY, JSON.stringify(operator));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled: every load waits for /me instead.
  }
}
