// The CLI's side of the API: requests with the token, answers mapped to exit codes.
import { CliError, EXIT_BAD_INPUT, EXIT_DENIED, EXIT_FAILURE } from './exit-codes.ts';

export interface ApiClient {
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The raw response of a GET (streams: CSV, SSE), after the status check. */
  stream(path: string): Promise<Response>;
}

export function apiClient(
  baseUrl: string,
  token: string | undefined,
  fetchFn: typeof fetch = fetch,
): ApiClient {
  if (!token)
    throw new CliError(
      EXIT_DENIED,
      'PORTAL_TOKEN is not set (make one with: npm run fleet -- token create NAME)',
    );
  let base: URL;
  try {
    base = new URL(baseUrl.replace(/\/*$/, '/') + 'api/v1/');
  } catch {
    throw new CliError(EXIT_BAD_INPUT, `PORTAL_URL ${JSON.stringify(baseUrl)} is not a URL`);
  }
  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const url = new URL(path.replace(/^\//, ''), base);
    let res: Response;
    try {
      res = await fetchFn(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        EXIT_FAILURE,
        `cannot reach the portal at ${base.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      );
    }
    if (res.ok) return res;
    let message = `${res.status} ${res.statusText}`;
    try {
      const answer = (await res.json()) as { error?: { message?: string } };
      if (answer.error?.message) message = answer.error.message;
    } catch {
      // not JSON: keep the status line
    }
    const code =
      res.status === 401 || res.status === 403
        ? EXIT_DENIED
        : res.status < 500
          ? EXIT_BAD_INPUT
          : EXIT_FAILURE;
    throw new CliError(code, message);
  };
  return {
    json: async <T>(method: string, path: string, body?: unknown) =>
      (await (await send(method, path, body)).json()) as T,
    stream: (path) => send('GET', path),
  };
}
