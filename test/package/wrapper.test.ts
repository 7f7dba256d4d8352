// /usr/sbin/op25b, as packaged, in front of a recording qjs: the daemon (`run`) gets
// `--strip-source` from a QuickJS that knows it (2025-04-26 and later) and goes without on one
// that refuses it (2021-03-27 here); every other command runs qjs once, as before. And the real
// dist/qjs (2021-03-27) does refuse the option, so the probe fails there and `run` still starts.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packaged, QJS, run, scratch, writeExecutable } from './support.ts';

const test = suite('package: /usr/sbin/op25b');

/** A PATH whose qjs records each argv and accepts `--strip-source` or not. */
function recordingQjs(knowsStripSource: boolean): {
  env: NodeJS.ProcessEnv;
  calls: () => string[];
} {
  const dir = scratch('wrapper');
  writeExecutable(
    join(dir, 'qjs'),
    `#!/bin/sh\necho "$*" >> '${dir}/calls'\n` +
      `[ "$1" = --strip-source ] && [ "$2" = -q ] && exit ${knowsStripSource ? 0 : 1}\nexit 0\n`,
  );
  return {
    env: { PATH: `${dir}:/usr/bin:/bin` },
    calls: () =>
      readFileSync(join(dir, 'calls'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.replace(/\S*\/op25b-agent\.js/, 'BUNDLE')),
  };
}

const wrapper = () => join(packaged().root, 'usr', 'sbin', 'op25b');

test('run: --strip-source where qjs takes it', () => {
  const qjs = recordingQjs(true);
  assert.is(run([wrapper(), 'run', '--config', '/x'], { env: qjs.env }).code, 0);
  assert.equal(qjs.calls(), ['--strip-source -q', '--strip-source BUNDLE run --config /x']);
});

test('run: without it where qjs refuses it', () => {
  const qjs = recordingQjs(false);
  assert.is(run([wrapper(), 'run', '--config', '/x'], { env: qjs.env }).code, 0);
  assert.equal(qjs.calls(), ['--strip-source -q', 'BUNDLE run --config /x']);
});

test('other commands: one qjs, no probe', () => {
  for (const command of ['apply', 'status', 'version']) {
    const qjs = recordingQjs(true);
    assert.is(run([wrapper(), command], { env: qjs.env }).code, 0);
    assert.equal(qjs.calls(), [`BUNDLE ${command}`]);
  }
});

test('dist/qjs (2021-03-27) refuses --strip-source, so the probe fails there', () => {
  const out = run([QJS, '--strip-source', '-q']);
  assert.is.not(out.code, 0);
  assert.match(out.stderr, /unknown option/);
});

test.run();
