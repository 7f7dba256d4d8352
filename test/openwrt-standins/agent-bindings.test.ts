// The agent's ubus bindings, its netifd query and its syslog output, run (under Node) against the
// stand-ins: what the agent parses is what the stand-ins print, and what they print is pinned to
// the real programs by the other tests here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../agent/log/logger.ts';
import { syslogOutput } from '../../agent/log/syslog-sink.ts';
import { queryInterfaces } from '../../agent/openwrt/netifd-query.ts';
import { boardReport } from '../../agent/openwrt/system-board.ts';
import { createUbus } from '../../agent/openwrt/ubus.ts';
import type { UbusEvent } from '../../agent/openwrt/ubus-event.ts';
import { UbusError } from '../../agent/openwrt/ubus-status.ts';
import { wanView } from '../../agent/openwrt/wan-devices.ts';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import { createStandinDir, type StandinDir } from './standin-dir.ts';

let dir: StandinDir;
const saved = { PATH: process.env.PATH, OP25B_STANDIN_DIR: process.env.OP25B_STANDIN_DIR };
const runtime = createNodeRuntime([]);
const ubus = createUbus(runtime);

function restoreEnv(): void {
  for (const [key, value] of Object.entries(saved))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
}

test.before.each(() => {
  dir = createStandinDir();
  Object.assign(process.env, dir.env());
});
test.after.each(() => {
  restoreEnv();
  dir.remove();
});

async function status(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof UbusError) return error.status;
    throw error;
  }
}

const until = async (check: () => boolean, what: string, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('call: replies, and each failure as its status', async () => {
  dir.answer('system', 'board', { model: 'Test Router', board_name: 'test,router' });
  dir.fail('system', 'info', 5);
  assert.equal(await ubus.call('system', 'board'), {
    model: 'Test Router',
    board_name: 'test,router',
  });
  assert.equal(await boardReport(ubus), { model: 'Test Router', board: 'test,router' });
  assert.is(await status(ubus.call('nosuch', 'status')), 'NOT_FOUND');
  assert.is(await status(ubus.call('system', 'nosuch')), 'METHOD_NOT_FOUND');
  assert.is(await status(ubus.call('system', 'info')), 'NO_DATA');
  dir.delay('system', 'board', 1500);
  assert.is(await status(ubus.call('system', 'board', undefined, { timeoutS: 1 })), 'TIMEOUT');
  dir.setDaemonDown(true);
  assert.is(await status(ubus.call('system', 'board')), 'CONNECTION_FAILED');
  process.env.PATH = saved.PATH;
  assert.is(await status(ubus.call('system', 'board')), 'NOT_INSTALLED');
  assert.equal(dir.calls(), [
    'system board {}',
    'system board {}',
    'system nosuch {}',
    'system info {}',
    'system board {}',
  ]);
});

test('arguments reach ubus as one JSON element, whatever they hold', async () => {
  dir.answer('op25b', 'echo', {});
  const args = { text: 'it\'s "quoted"; $(reboot) `x` \\ \n', n: 1 };
  await ubus.call('op25b', 'echo', args);
  assert.equal(dir.calls(), [`op25b echo ${JSON.stringify(args)}`]);
});

test('netifd: the WAN interfaces from one dump', async () => {
  dir.setInterface('lan', { up: true, proto: 'static', device: 'br-lan', l3_device: 'br-lan' });
  dir.setInterface('wan', { up: true, proto: 'pppoe', device: 'wan', l3_device: 'pppoe-wan' });
  const names = ['wan', 'wan6'];
  assert.equal(wanView(await queryInterfaces(ubus, names), names), {
    devices: ['pppoe-wan', 'wan'],
    proto: 'pppoe',
    missing: ['wan6'],
  });
  assert.equal(dir.calls(), ['network.interface dump {}']);
});

test('send reaches a running listener; after a ubusd restart it is deaf until restart()', async () => {
  const events: UbusEvent[] = [];
  let starts = 0;
  const exits: number[] = [];
  const listener = ubus.listen(['network.interface'], (e) => events.push(e), {
    restartMs: 100,
    onStart: () => starts++,
    onExit: (code) => exits.push(code),
  });
  try {
    await dir.waitForListeners(1);
    await ubus.send('network.interface', { action: 'ifup', interface: 'wan' });
    await until(() => events.length === 1, 'the ifup event');
    assert.equal(events[0], {
      type: 'network.interface',
      data: { action: 'ifup', interface: 'wan' },
    });
    dir.setDaemonDown(true);
    await until(() => dir.listeners().length === 0, 'the listener to be forgotten by ubusd');
    dir.setDaemonDown(false);
    assert.equal(exits, [], 'the real `ubus listen` does not end');
    assert.is(starts, 1);
    listener.restart();
    await until(() => dir.listeners().length === 1, 'the restarted listener');
    assert.is(starts, 2);
    assert.equal(exits, [], 'a replaced listener is no exit');
    dir.emit('network.interface', { action: 'ifdown', interface: 'wan' });
    await until(() => events.length === 2, 'the ifdown event');
  } finally {
    listener.stop();
  }
  await until(() => dir.listeners().length === 0, 'the listener to stop');
});

test('syslog output: each line at once through the logger stand-in, all of it after close()', async () => {
  const output = syslogOutput(runtime);
  const log = createLogger(output.sink, 'info');
  log.info('started');
  await until(() => dir.syslog().length === 1, 'the first line');
  log.warn('ubus listen exited (0); restarting in 1000 ms');
  log.error('cannot enforce');
  log.debug('not at level info');
  log.info('stopped');
  await output.close();
  assert.equal(dir.syslog().sort(), [
    'daemon.err op25b: cannot enforce',
    'daemon.info op25b: started',
    'daemon.info op25b: stopped',
    'daemon.warning op25b: ubus listen exited (0); restarting in 1000 ms',
  ]);
});

test.run();
