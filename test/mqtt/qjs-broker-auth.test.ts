// Passwords and TLS of the MQTT layer under QuickJS, against a real mosquitto: the right
// password and certificates connect; a wrong password, a foreign CA, another name or a missing
// client certificate are refused quickly, before any CONNECT.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRIAL_BUNDLE } from '../qjs/build-trial.ts';
import { brokerRig, PASSWORD, USER } from './qjs-broker-rig.ts';
import { startTrial } from './trial.ts';
import { closeEvent, roundTrip, type CloseEvent } from './trial-checks.ts';

const rig = brokerRig(test);
const { dir, ports, tlsArgs } = rig;

test('username/password: accepted with the right password, refused with a wrong one', async () => {
  const url = `mqtt://127.0.0.1:${ports.auth}`;
  await roundTrip(url, ['--username', USER, '--password', PASSWORD]);
  for (const protocol of ['4', '5']) {
    const trial = startTrial(TRIAL_BUNDLE, 'connect', [
      '--broker', url, '--username', USER, '--password', 'wrong', '--protocol', protocol,
    ]); // prettier-ignore
    const { code, ms } = await trial.exit();
    assert.is(code, 0);
    const close = closeEvent(trial.events);
    assert.is(close.connected, false);
    assert.is(close.requested, false);
    // 3.1.1: 5 "not authorized" (mosquitto's answer to a bad password); 5: 0x86 or 0x87.
    assert.ok([4, 5, 134, 135].includes(close.error?.code as number), JSON.stringify(close));
    assert.ok(ms < 3000, `refusal took ${ms} ms`);
  }
});

test('TLS with CA, server and client certificates (3.1.1 and 5, name and IP)', async () => {
  await roundTrip(`mqtts://localhost:${ports.tls}`, [...tlsArgs(), '--client-id', 'tls-1']);
  await roundTrip(`mqtts://127.0.0.1:${ports.tls}`, [...tlsArgs(), '--protocol', '5']);
  assert.match(rig.broker().log(), /New client connected from 127\.0\.0\.1:\d+ as tls-1/);
});

async function refusedTls(port: number, args: string[]): Promise<CloseEvent> {
  const trial = startTrial(TRIAL_BUNDLE, 'connect', [
    '--broker', `mqtts://localhost:${port}`, '--client-id', `tls-bad-${port}`, ...args,
  ]); // prettier-ignore
  const { code, ms } = await trial.exit();
  assert.is(code, 0);
  assert.ok(ms < 3000, `took ${ms} ms`);
  assert.not.ok(trial.events.some((e) => e.event === 'connect'));
  assert.not.match(rig.broker().log(), new RegExp(`as tls-bad-${port}`));
  return closeEvent(trial.events);
}

test('TLS: a server certificate from a different CA is rejected', async () => {
  const close = await refusedTls(ports.evil, tlsArgs());
  assert.is(close.error?.code, 'ETLSVERIFY');
  assert.match(close.error!.message, /unable to get local issuer certificate/);
});

test('TLS: a certificate from the right CA but for another name is rejected', async () => {
  const close = await refusedTls(ports.otherName, tlsArgs());
  assert.is(close.error?.code, 'ETLSVERIFY');
  assert.match(close.error!.message, /hostname mismatch/);
});

test('TLS: the broker refuses a client without a certificate', async () => {
  const close = await refusedTls(ports.tls, ['--ca', join(dir.path, 'ca.crt')]);
  assert.is(close.error?.code, 'ETLS');
});

test.run();
