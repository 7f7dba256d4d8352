// The rpcd plugin as rpcd calls it: list, status passed through, failures as error objects,
// reapply through procd.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_PATH } from './script-env.ts';
import {
  packaged,
  QJS,
  run,
  scratch,
  STANDINS,
  writeExecutable,
  type RunResult,
} from './support.ts';

const test = suite('package: scripts: rpcd plugin');

// ---- the rpcd plugin ----

function plugin(args: string[], env: NodeJS.ProcessEnv): RunResult {
  // rpcd: `list` with nothing on stdin; `call <method>` with compact JSON, no newline, then EOF.
  return run([join(packaged().root, 'usr/libexec/rpcd/op25b'), ...args], {
    env,
    input: args[0] === 'call' ? '{}' : '',
  });
}

/** A PATH whose op25b prints `stdout`/`stderr` and exits with `code`, for the plugin alone. */
function fakeAgent(stdout: string, stderr: string, code: number): NodeJS.ProcessEnv {
  const dir = scratch('fake');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'out'), stdout);
  writeFileSync(join(dir, 'err'), stderr);
  // json-string goes to the packaged agent: the plugin has the agent encode its JSON text.
  symlinkSync(QJS, join(dir, 'bin', 'qjs'));
  const agent = join(packaged().root, 'usr', 'sbin', 'op25b');
  writeExecutable(
    join(dir, 'bin', 'op25b'),
    `#!/bin/sh\n[ "$1" = json-string ] && exec '${agent}' "$@"\n` +
      `echo "$*" >> '${dir}/args'\ncat '${dir}/out'\ncat '${dir}/err' >&2\nexit ${code}\n`,
  );
  return {
    PATH: `${join(dir, 'bin')}:${STANDINS}:${SYSTEM_PATH}`,
    OP25B_STANDIN_DIR: dir,
    FAKE_DIR: dir,
  };
}

function jsonObject(text: string): Record<string, unknown> {
  const value = JSON.parse(text) as unknown;
  assert.type(value, 'object');
  assert.ok(value !== null && !Array.isArray(value), 'a JSON object, as rpcd requires');
  return value as Record<string, unknown>;
}

test('rpcd plugin: list names status and reapply, without arguments', () => {
  const out = plugin(['list'], fakeAgent('', '', 0));
  assert.is(out.code, 0);
  assert.equal(jsonObject(out.stdout), { status: {}, reapply: {} });
});

test('rpcd plugin: status passes the agent status document through', () => {
  const document = JSON.stringify({ policy: { enabled: true }, enforcement: { applied: true } });
  const env = fakeAgent(`${document}\n`, 'op25b: warn: something\n', 0);
  const out = plugin(['call', 'status'], env);
  assert.equal(jsonObject(out.stdout), JSON.parse(document));
  assert.is(readFileSync(join(env.FAKE_DIR!, 'args'), 'utf8'), 'status\n');
});

test('rpcd plugin: a failure is an error object, whatever the message holds', () => {
  const nasty = `op25b: error: cannot read "x\\y"\n\tbad\u0001\u00e9\u201c $(id) \`id\`\n`;
  const out = plugin(['call', 'status'], fakeAgent('', nasty, 2));
  const object = jsonObject(out.stdout) as { error: { exit_code: number; message: string } };
  assert.is(object.error.exit_code, 2);
  // Exactly the text (the shell drops the last newline): UTF-8 kept, controls escaped.
  assert.is(object.error.message, nasty.slice(0, -1));
  assert.match(out.stdout, /\\u0001\\u00e9|\\u0001é/, 'a control character is escaped');
  // 2000 characters at most, counted as characters, not bytes.
  const long = `${'é'.repeat(2500)}\n`;
  const cut = jsonObject(plugin(['call', 'status'], fakeAgent('', long, 1)).stdout) as {
    error: { message: string };
  };
  assert.is(cut.error.message, 'é'.repeat(2000));
  assert.equal(jsonObject(plugin(['call', 'frobnicate'], fakeAgent('', '', 0)).stdout), {
    error: { exit_code: 2, message: 'unknown method' },
  });
  const usage = run([join(packaged().root, 'usr/libexec/rpcd/op25b')], {
    env: { PATH: SYSTEM_PATH },
  });
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /usage: /);
});

test('rpcd plugin: reapply signals the daemon through procd, then applies', () => {
  const env = fakeAgent('applied (nftables): block on (config)\n', '', 0);
  const dir = env.FAKE_DIR!;
  mkdirSync(join(dir, 'ubus'));
  writeFileSync(join(dir, 'ubus', 'service~signal.json'), '{}');
  const out = plugin(['call', 'reapply'], env);
  assert.equal(jsonObject(out.stdout), {
    applied: true,
    exit_code: 0,
    daemon_reloaded: true,
    message: 'applied (nftables): block on (config)',
  });
  assert.is(
    readFileSync(join(dir, 'ubus', 'calls.log'), 'utf8'),
    'service signal {"name":"op25b","signal":1}\n',
  );
  assert.is(readFileSync(join(dir, 'args'), 'utf8'), 'apply --force\n');

  // No daemon registered with procd (ubus: not found), and an apply that fails.
  const failing = fakeAgent('', 'op25b: error: nft: No such file or directory\n', 1);
  const second = jsonObject(plugin(['call', 'reapply'], failing).stdout);
  assert.equal(second, {
    applied: false,
    exit_code: 1,
    daemon_reloaded: false,
    message: 'op25b: error: nft: No such file or directory',
  });
});

test.run();
