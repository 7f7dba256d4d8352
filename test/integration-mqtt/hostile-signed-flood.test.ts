// Forged signed desired states over a real mosquitto, the daemon under dist/qjs (issue 11): a
// flood of tokens with a valid shape but the wrong key, each a full Ed25519 verification, does
// not hold up the valid state sent after it.
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS } from '../testbed/index.ts';
import { parse, replies, request, type Reply } from './messages.ts';
import { suiteRig } from './suite-rig.ts';
import { T } from './topics.ts';
import { sleep } from './waits.ts';

const test = suite('mqtt: hostile input, a forged signed flood (nftables, MQTT 5 over TLS)');
const theRig = suiteRig(test, { backend: BACKENDS.nftables });

test('a flood of forged signed desired states does not hold up a valid one', async () => {
  const r = theRig();
  const isp = await generateKeyPair('EdDSA');
  const forger = await generateKeyPair('EdDSA');
  const keyFile = join(r.dir, 'hostile-verify.pem');
  writeFileSync(keyFile, await exportSPKI(isp.publicKey));
  const base = r.config();
  const signedAgent = await r.startAgent({
    ...base,
    agent: { ...base.agent, verify_key_file: keyFile },
  });
  try {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const sign = (version: number, key: Parameters<SignJWT['sign']>[0]) =>
      new SignJWT({ version, enabled: true, sub: signedAgent.id, exp })
        .setProtectedHeader({ alg: 'EdDSA' })
        .sign(key);
    // Valid shape, wrong key: each costs a full Ed25519 verification.
    const forged = await Promise.all(
      Array.from({ length: 100 }, (_, i) => sign(1000 + i, forger.privateKey)),
    );
    // The same change without a flood first, for comparison (enabled true, then the same again).
    let started = performance.now();
    const baseline = await request(r, T.desired, await sign(59, isp.privateKey));
    const baselineMs = performance.now() - started;
    assert.equal(baseline, { version: 59, ok: true });
    const valid = await sign(60, isp.privateKey);
    const from = r.isp.messages.length;
    for (const token of forged) await r.isp.publish(T.desired, token, { qos: 0 });
    started = performance.now();
    await r.isp.publish(T.desired, valid);
    const reply = await r.isp.waitMessage(
      (m) => m.topic === T.reply && parse<Reply>(m).version === 60,
      10_000,
      from,
      'the reply to the valid state',
    );
    const validMs = performance.now() - started;
    assert.equal(parse<Reply>(reply), { version: 60, ok: true });
    await sleep(300);
    const answered = replies(r, from);
    assert.is(answered.length, 101, JSON.stringify(answered.slice(-3)));
    for (const other of answered.filter((p) => p.version !== 60))
      assert.ok(
        ['bad_signature', 'superseded'].includes(other.error?.code ?? ''),
        JSON.stringify(other),
      );
    const superseded = answered.filter((p) => p.error?.code === 'superseded').length;
    console.log(
      `  100 forged tokens, then a valid one: answered ${validMs.toFixed(0)} ms after it was ` +
        `sent (${superseded} forged ones superseded unverified); without a flood ` +
        `${baselineMs.toFixed(0)} ms`,
    );
  } finally {
    await signedAgent.daemon.kill();
  }
});

test.run();
