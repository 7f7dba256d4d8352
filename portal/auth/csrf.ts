// CSRF protection for cookie-authenticated requests that change something. Two independent
// checks, both required:
// - double submit: the X-CSRF-Token header must equal the session's CSRF token (also sent in a
//   readable cookie, so the page's script can copy it; another site can neither read the cookie
//   nor set the header on a form post);
// - origin: a browser's Origin (or, without it, Sec-Fetch-Site) must be the service's own or an
//   allowed one. Bearer-token requests carry no ambient credentials and skip both.
import { sameSecret } from './secret-token.ts';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_COOKIE = 'op25b_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export interface CsrfInput {
  readonly method: string;
  /** The session's CSRF token. */
  readonly expected: string;
  readonly header: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  /** The origin of the request URL as the client addressed it (scheme://Host). */
  readonly ownOrigin: string;
  readonly allowedOrigins: readonly string[];
}

/** Why the request is refused, or null when it may go on. */
export function csrfProblem(input: CsrfInput): string | null {
  if (!changesState(input.method)) return null;
  if (input.origin !== undefined) {
    if (input.origin !== input.ownOrigin && !input.allowedOrigins.includes(input.origin))
      return 'cross-origin request refused';
  } else if (
    input.secFetchSite !== undefined &&
    !['same-origin', 'none'].includes(input.secFetchSite)
  )
    return 'cross-site request refused';
  if (input.header === undefined || input.header === '') return 'missing CSRF token';
  if (!sameSecret(input.header, input.expected)) return 'bad CSRF token';
  return null;
}
