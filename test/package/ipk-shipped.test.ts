// What the .ipk installs works as shipped: the config is valid and complete and takes no
// remote control without a key, and the wrapper runs the bundle beside it.
import { configFromUci } from '../../agent/config/agent-config.ts';
import { parseUci } from '../../agent/config/uci-parse.ts';
import { remoteControl } from '../../agent/remote/claims.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { VERSION } from './ipk-expected.ts';
import { agentPath, packaged, run, scratch } from './support.ts';

const test = suite('package: ipk: shipped config and wrapper');

test('the shipped config is valid and complete: print reads it without a warning', () => {
  const { root } = packaged();
  const config = join(root, 'etc', 'config', 'op25b');
  const path = agentPath({ config, standinDir: scratch('standin-print') });
  const out = run(['op25b', 'print'], { env: path.env });
  assert.is(out.code, 0, out.stderr);
  assert.not.match(out.stderr, /unknown option|invalid/, out.stderr);
  assert.match(out.stdout, /--dport 25|dport @ports|ports .*25/);
});

// BUG: the shipped config said that without verify_key_file the router "accepts no remote
// changes", but with a broker set it obeyed any unsigned JSON on its topics.
test('the shipped config with a broker but no key takes no remote control', () => {
  const { root } = packaged();
  const text = readFileSync(join(root, 'etc', 'config', 'op25b'), 'utf8');
  assert.match(text, /accepts no remote changes/);
  const withBroker = text
    .replace(/#option broker /, 'option broker ')
    .replace(/#option ca_file /, 'option ca_file ');
  assert.not.equal(withBroker, text);
  const config = configFromUci(parseUci(withBroker));
  assert.ok(config.mqtt, 'the broker is read');
  assert.is(config.agent.verifyKeyFile, null);
  assert.is(remoteControl({ keys: null, allowUnsigned: config.agent.allowUnsigned }), 'off');
});

test('the wrapper runs the bundle next to it, and says so when qjs is missing', () => {
  const { root } = packaged();
  const wrapper = join(root, 'usr', 'sbin', 'op25b');
  const path = agentPath({ config: '/nonexistent', standinDir: scratch('standin-w') });
  const version = run([wrapper, 'version'], { env: path.env });
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout, `op25b-agent ${VERSION} (quickjs)\n`);

  const noQjs = run([wrapper, 'version'], { env: { PATH: '/usr/bin:/bin' } });
  assert.is(noQjs.code, 1);
  assert.match(noQjs.stderr, /^op25b: error: qjs \(QuickJS\) not found/);
});

test.run();
