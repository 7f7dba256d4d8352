import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createUbus } from '../../../agent/openwrt/ubus.ts';
import type { UbusEvent } from '../../../agent/openwrt/ubus-event.ts';
import { UbusError } from '../../../agent/openwrt/ubus-status.ts';
import { fakeRuntime } from './fake-runtime.ts';

async function failure(promise: Promise<unknown>): Promise<UbusError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, UbusError);
    return error as UbusError;
  }
  throw new Error('expected a UbusError');
}

test('call runs `ubus -S -t N call <object> <method> [<json>]` and parses the reply', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer('ubus -S -t 5 call network.interface.wan status', {
    stdout: '{"up":true,"proto":"pppoe","l3_device":"pppoe-wan"}\n',
  });
  const ubus = createUbus(runtime);
  assert.equal(await ubus.call('network.interface.wan', 'status'), {
    up: true,
    proto: 'pppoe',
    l3_device: 'pppoe-wan',
  });
  assert.equal(runtime.runs[0]!.argv, [
    'ubus',
    '-S',
    '-t',
    '5',
    'call',
    'network.interface.wan',
    'status',
  ]);
  assert.is(runtime.runs[0]!.options?.timeoutMs, 7000);
});

test('arguments are one argv element of JSON, quotes and all; the timeout is passed on', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer('ubus -S -t 2 call', { stdout: '' });
  const ubus = createUbus(runtime);
  const args = { name: 'it\'s "quoted"; $(reboot)', list: [1, 2], nested: { a: true } };
  assert.is(await ubus.call('op25b', 'status', args, { timeoutS: 2 }), null);
  const argv = runtime.runs[0]!.argv;
  assert.is(argv.length, 8);
  assert.equal(JSON.parse(argv[7]!), args);
  assert.is(runtime.runs[0]!.options?.timeoutMs, 4000);
});

test('a failed call throws a UbusError with the status of the exit code', async () => {
  const runtime = fakeRuntime(['ubus']);
  const ubus = createUbus(runtime);
  const cases: [number, string][] = [
    [3, 'METHOD_NOT_FOUND'],
    [4, 'NOT_FOUND'],
    [5, 'NO_DATA'],
    [6, 'PERMISSION_DENIED'],
    [7, 'TIMEOUT'],
    [12, 'PARSE_ERROR'],
    [255, 'CONNECTION_FAILED'],
    [127, 'NOT_INSTALLED'],
  ];
  for (const [code, status] of cases) {
    runtime.answer('ubus -S -t 5 call system board', { code });
    const error = await failure(ubus.call('system', 'board'));
    assert.is(error.status, status, String(code));
    assert.is(error.message, `ubus call system board: ${status}`);
  }
});

test("a run killed by the agent's own timeout is TIMEOUT; output that is no JSON BAD_OUTPUT", async () => {
  const runtime = fakeRuntime(['ubus']);
  const ubus = createUbus(runtime);
  runtime.answer('ubus -S -t 5 call system board', { code: 137, timedOut: true });
  assert.is((await failure(ubus.call('system', 'board'))).status, 'TIMEOUT');
  runtime.answer('ubus -S -t 5 call system board', { stdout: 'Command failed: Not found\n' });
  assert.is((await failure(ubus.call('system', 'board'))).status, 'BAD_OUTPUT');
});

test('names that ubus or its getopt could misread are refused before anything runs', async () => {
  const runtime = fakeRuntime(['ubus']);
  const ubus = createUbus(runtime);
  for (const [object, method] of [
    ['-S', 'x'],
    ['system', '--help'],
    ['sys tem', 'board'],
    ['', 'board'],
    ['system', 'board;reboot'],
  ]) {
    const error = await failure(ubus.call(object!, method!));
    assert.is(error.status, 'INVALID_ARGUMENT');
  }
  assert.is(runtime.runs.length, 0);
});

test('send: `ubus -S -t 5 send <type> <json>`; a bad message is PARSE_ERROR (exit 12)', async () => {
  const runtime = fakeRuntime(['ubus']);
  const ubus = createUbus(runtime);
  runtime.answer('ubus -S -t 5 send', { code: 0 });
  await ubus.send('op25b.status', { applied: true });
  assert.equal(runtime.runs[0]!.argv, [
    'ubus',
    '-S',
    '-t',
    '5',
    'send',
    'op25b.status',
    '{"applied":true}',
  ]);
  await ubus.send('op25b.hello');
  assert.is(runtime.runs[1]!.argv[6], '{}');
  runtime.answer('ubus -S -t 5 send op25b.status', { code: 12 });
  assert.is((await failure(ubus.send('op25b.status', {}))).status, 'PARSE_ERROR');
});

test('listen: `ubus listen <types>`, events parsed from lines however the chunks fall', async () => {
  const runtime = fakeRuntime(['ubus']);
  const events: UbusEvent[] = [];
  let starts = 0;
  const listener = createUbus(runtime).listen(
    ['network.interface', 'network.device'],
    (e) => events.push(e),
    { onStart: () => starts++ },
  );
  assert.is(runtime.children.length, 1);
  const child = runtime.children[0]!;
  // Started directly, no shell around it (the daemon records it: runtime/tied-children.ts).
  assert.equal(child.argv, ['ubus', 'listen', 'network.interface', 'network.device']);
  assert.is(starts, 1);
  child.emit('{ "network.interface": {"action":"ifup","int');
  assert.equal(events, []);
  child.emit('erface":"wan"} }\n{ "network.interface": {"action":"ifdown","interface":"wan6"} }\n');
  child.emit('garbage\n{ "network.device": {"name":"pppoe-wan"} }\n');
  assert.equal(events, [
    { type: 'network.interface', data: { action: 'ifup', interface: 'wan' } },
    { type: 'network.interface', data: { action: 'ifdown', interface: 'wan6' } },
    { type: 'network.device', data: { name: 'pppoe-wan' } },
  ]);
  listener.stop();
  assert.is(child.killedWith, 15);
  await runtime.advance(60_000);
  assert.is(runtime.children.length, 1, 'a stopped listener is not restarted');
});

test('listen: restarted after a delay that doubles up to 30 s, reset after a good run', async () => {
  const runtime = fakeRuntime(['ubus']);
  const exits: [number, number][] = [];
  let starts = 0;
  const listener = createUbus(runtime).listen(['network.interface'], () => {}, {
    onStart: () => starts++,
    onExit: (code, ms) => exits.push([code, ms]),
  });
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    runtime.children.at(-1)!.exit(255);
    delays.push(exits.at(-1)![1]);
    await runtime.advance(exits.at(-1)![1] - 1);
    assert.is(runtime.children.length, i + 1, 'not before the delay');
    await runtime.advance(1);
    assert.is(runtime.children.length, i + 2);
  }
  assert.equal(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.is(starts, 8);
  // A listener that ran for a while restarts after the first delay again.
  await runtime.advance(40_000);
  runtime.children.at(-1)!.exit(0);
  assert.equal(exits.at(-1), [0, 1000]);
  listener.stop();
  await runtime.advance(60_000);
  assert.is(runtime.children.length, 8);
});

test('listen: an event after stop() is not delivered', async () => {
  const runtime = fakeRuntime(['ubus']);
  const events: UbusEvent[] = [];
  const listener = createUbus(runtime).listen(['network.interface'], (e) => events.push(e));
  const child = runtime.children[0]!;
  listener.stop();
  child.emit('{ "network.interface": {"action":"ifup","interface":"wan"} }\n');
  assert.equal(events, []);
});

test.run();
