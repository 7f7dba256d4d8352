// tools/op25b-sign.ts, run as the ISP runs it, against a real mosquitto on 127.0.0.1: `publish`
// signs and publishes retained, takes the next version from what the broker retains, publishes
// nothing on any error; `keygen` never overwrites a key pair unasked; bad values are refused the
// way the agent refuses them.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { parseDesiredMessage } from '../../agent/remote/desired-message.ts';
import { parseEd25519PublicKey } from '../../agent/remote/public-key.ts';
import { freePort, ROOT, startMosquitto, tempDir, within, type Mosquitto } from './helpers.ts';

const dir = tempDir();
const keys = join(dir.path, 'isp-keys');
const DEVICE = 'router-sign';
const DESIRED = `op25b/v1/${DEVICE}/desired`;
let port = 0;
let broker: Mosquitto | null = null;
let client: MqttClient | null = null;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sign(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tools/op25b-sign.ts'), ...args],
      { cwd: ROOT, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const publish = (...args: string[]) =>
  sign(
    'publish',
    '--broker',
    `mqtt://127.0.0.1:${port}`,
    '--key',
    join(keys, 'private.pem'),
    '--device',
    DEVICE,
    ...args,
  );

/** The retained message on a topic, read by a fresh subscription ('' when none). */
async function retained(topic: string): Promise<string> {
  const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  try {
    const message = new Promise<string>((resolve) =>
      reader.on('message', (_t, payload, packet) => packet.retain && resolve(payload.toString())),
    );
    await reader.subscribeAsync(topic, { qos: 1 });
    return (await within(message, 1000)) ?? '';
  } finally {
    await reader.endAsync();
  }
}

function readDesired(token: string) {
  const verifyKey = parseEd25519PublicKey(readFileSync(join(keys, 'public.pem'), 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  return parseDesiredMessage(token, Buffer.byteLength(token), {
    deviceId: DEVICE,
    keys: [{ kid: null, key: verifyKey }],
    allowUnsigned: false,
    now,
  });
}

test.before(async () => {
  port = await freePort();
  broker = await startMosquitto(dir.path, `listener ${port} 127.0.0.1\nallow_anonymous true\n`, [
    { host: '127.0.0.1', port },
  ]);
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
});

test.after(async () => {
  await client?.endAsync();
  await broker?.stop();
  dir.remove();
});

test('keygen: 0600 private key with a trailing newline; an existing pair kept without --force', async () => {
  const first = await sign('keygen', '--out', keys);
  assert.is(first.code, 0, first.stderr);
  const privateFile = join(keys, 'private.pem');
  const pem = readFileSync(privateFile, 'utf8');
  assert.is(statSync(privateFile).mode & 0o777, 0o600);
  assert.ok(pem.startsWith('-----BEGIN PRIVATE KEY-----\n') && pem.endsWith('-----\n'), pem);
  const again = await sign('keygen', '--out', keys);
  assert.is(again.code, 2);
  assert.match(again.stderr, /exist: give --force/);
  assert.is(readFileSync(privateFile, 'utf8'), pem, 'the key pair is untouched');
  const forced = await sign('keygen', '--out', keys, '--force');
  assert.is(forced.code, 0, forced.stderr);
  assert.is.not(readFileSync(privateFile, 'utf8'), pem);
  assert.is(statSync(privateFile).mode & 0o777, 0o600);
});

test('--help prints the usage; bad numbers and addresses are refused like the agent refuses them', async () => {
  const help = await sign('--help');
  assert.is(help.code, 0);
  assert.match(help.stdout, /^usage: op25b-sign/);
  assert.match(help.stdout, /publish --broker/);
  const key = ['--key', join(keys, 'private.pem'), '--device', DEVICE];
  const cases: [string[], RegExp][] = [
    [['cmd', ...key, '--id', 'c1', '--op', 'verify', '--ttl', '7200'], /--ttl "7200"/],
    [['desired', ...key, '--version', '-3', '--enabled', '1'], /--version "-3"/],
    [['desired', ...key, '--version', '3', '--enabled', '1', '--allow', '1.2.3.4/8'], /host bits/],
    [['desired', ...key, '--version', '3', '--enabled', '1', '--port', '0'], /invalid port "0"/],
  ];
  for (const [args, message] of cases) {
    const result = await sign(...args);
    assert.is(result.code, 2, args.join(' '));
    assert.is(result.stdout, '', 'no token on stdout');
    assert.match(result.stderr, message);
  }
});

test('publish --version: a retained token the agent accepts', async () => {
  const result = await publish(
    '--version',
    '5',
    '--enabled',
    '1',
    '--allow',
    '203.0.113.25',
    '--wait',
    '0',
  );
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /published version 5 to op25b\/v1\/router-sign\/desired/);
  assert.equal(readDesired(await retained(DESIRED)), {
    version: 5,
    enabled: true,
    allow: ['203.0.113.25'],
  });
});

test('publish without --version: one more than the broker retains; the reply is printed', async () => {
  // The router's status says 7 (newer than the retained desired state, 5).
  await client!.publishAsync(
    `op25b/v1/${DEVICE}/status`,
    JSON.stringify({ policy: { version: 7, source: 'remote' } }),
    { qos: 1, retain: true },
  );
  // A router that answers every desired state.
  await client!.subscribeAsync(DESIRED, { qos: 1 });
  const answer = (_topic: string, payload: Buffer) => {
    if (payload.length === 0) return;
    const { version } = readDesired(payload.toString());
    void client!.publishAsync(`op25b/v1/${DEVICE}/reply`, JSON.stringify({ version, ok: true }));
  };
  client!.on('message', answer);
  try {
    const result = await publish('--enabled', '0');
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout, /published version 8 /);
    assert.match(result.stdout, /\{"version":8,"ok":true\}/);
    assert.is(readDesired(await retained(DESIRED)).version, 8);
  } finally {
    client!.off('message', answer);
    await client!.unsubscribeAsync(DESIRED);
  }
});

test('nothing is published on any error', async () => {
  const before = await retained(DESIRED);
  for (const args of [
    ['--version', '9', '--enabled', '1', '--ttl', '0'],
    ['--version', '9', '--enabled', '1', '--allow', '1.2.3.4/8'],
    ['--version', '9', '--enabled', 'maybe'],
  ]) {
    const result = await publish(...args, '--wait', '0');
    assert.is(result.code, 2, args.join(' '));
  }
  assert.is(await retained(DESIRED), before, 'the retained desired state is unchanged');

  // A router the broker knows nothing of: no version to build on.
  const unknown = await sign(
    'publish', '--broker', `mqtt://127.0.0.1:${port}`, '--key', join(keys, 'private.pem'),
    '--device', 'router-unknown', '--enabled', '1', '--wait', '0',
  ); // prettier-ignore
  assert.is(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /retains no status and no desired state for router-unknown: give --version/,
  );
  assert.is(await retained('op25b/v1/router-unknown/desired'), '');
});

test.run();
