// The rig of the app.request() tests: a fake fleet with hostile device strings, a real PGlite
// with accounts per role (support.ts), and a call helper that validates every JSON answer
// against the OpenAPI document.
import type { Test } from 'uvu';
import { FakeFleet, router } from './fake-fleet.ts';
import { call, openRig, responseChecker, type Call, type Rig } from './support.ts';

export const XSS = '<script>alert(1)</script>';
export const SQLI = "'; DROP TABLE accounts; --";

export function apiRig() {
  const fleet = new FakeFleet([
    router('r-001'),
    router('r-002', { online: false, model: XSS }),
    router('r-003', {
      model: '=HYPERLINK("http://evil.example","x")',
      board: SQLI,
      lastError: { code: 'E', message: '+cmd|/c calc' },
    }),
  ]);
  const checker = responseChecker();
  let current: Rig | undefined;
  const rig = (): Rig => {
    if (!current) throw new Error('the rig is not open yet');
    return current;
  };
  /** Calls and validates the answer against the OpenAPI document; returns status and body. */
  const api = async (method: string, spec: string, path: string, opts: Call = {}) => {
    const res = await call(rig().app, method, path, opts);
    const body = res.headers.get('content-type')?.startsWith('application/json')
      ? await res.json()
      : await res.text();
    if (typeof body !== 'string') checker.check(method, spec, res.status, body);
    return { status: res.status, body: body as any, headers: res.headers };
  };
  const hooks = (test: Test) => {
    test.before(async () => {
      current = await openRig(fleet);
      fleet.audit = current.audit;
    });
    test.after(async () => {
      await current?.db.close();
      console.log(`  (${checker.checked} responses checked against the OpenAPI document)`);
    });
  };
  return { fleet, checker, api, rig, hooks };
}
