// The pages' only way to the service: fetch over /api/v1 with the session cookie. Requests that
// change something carry the CSRF token (the readable op25b_csrf cookie, as portal/auth/csrf.ts
// expects in X-CSRF-Token). Errors become ApiError; a 401 sends the user to the login page.

export const API_BASE = '/api/v1';
const CSRF_COOKIE = 'op25b_csrf';
const CSRF_HEADER = 'X-CSRF-Token';

/** The service's `{"error": {"code", "message"}}`, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onUnauthorized: () => void = () => {};

/** What to do when the session is gone (app.ts: show the login page). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return '';
}

/** Query parameters without the empty ones, as the API wants them. */
export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers[CSRF_HEADER] = csrfToken();
  let response: Response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'network', `the portal cannot be reached (${String(error)})`);
  }
  const json: unknown = response.headers.get('content-type')?.startsWith('application/json')
    ? await response.json().catch(() => null)
    : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const apiError = new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'http_' + response.status,
      typeof error?.message === 'string' ? error.message : response.statusText,
    );
    // A failed login is the login page's own business.
    if (response.status === 401 && path !== '/login') onUnauthorized();
    throw apiError;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/** A message for the user from anything a request threw. */
export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}
