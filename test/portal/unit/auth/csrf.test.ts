import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { csrfProblem, type CsrfInput } from '../../../../portal/auth/csrf.ts';

const base: CsrfInput = {
  method: 'POST',
  expected: 'tok-123',
  header: 'tok-123',
  origin: 'http://127.0.0.1:8080',
  secFetchSite: 'same-origin',
  ownOrigin: 'http://127.0.0.1:8080',
  allowedOrigins: [],
};

test('a same-origin request with the right token passes', () => {
  assert.is(csrfProblem(base), null);
  assert.is(csrfProblem({ ...base, origin: undefined, secFetchSite: undefined }), null);
});

test('safe methods need no token', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS'])
    assert.is(
      csrfProblem({ ...base, method, header: undefined, origin: 'https://evil.example' }),
      null,
    );
});

test('missing or wrong token is refused for every state-changing method', () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assert.is(csrfProblem({ ...base, method, header: undefined }), 'missing CSRF token');
    assert.is(csrfProblem({ ...base, method, header: 'tok-124' }), 'bad CSRF token');
    assert.is(csrfProblem({ ...base, method, header: 'tok-1234' }), 'bad CSRF token');
  }
});

test('a foreign Origin is refused even with the right token', () => {
  assert.is(
    csrfProblem({ ...base, origin: 'https://evil.example' }),
    'cross-origin request refused',
  );
  assert.is(csrfProblem({ ...base, origin: 'null' }), 'cross-origin request refused');
  assert.is(
    csrfProblem({ ...base, origin: 'http://127.0.0.1:8081' }),
    'cross-origin request refused',
  );
});

test('without Origin, Sec-Fetch-Site cross-site or same-site is refused', () => {
  assert.is(
    csrfProblem({ ...base, origin: undefined, secFetchSite: 'cross-site' }),
    'cross-site request refused',
  );
  assert.is(
    csrfProblem({ ...base, origin: undefined, secFetchSite: 'same-site' }),
    'cross-site request refused',
  );
});

test('allowed origins (reverse proxy) pass', () => {
  assert.is(
    csrfProblem({
      ...base,
      origin: 'https://noc.example',
      allowedOrigins: ['https://noc.example'],
    }),
    null,
  );
});

test.run();
