// The parts npm start puts around the real agent of a simulated router: its UCI config (read by
// the agent's own parser), the in-process ubus (read by the agent's own bindings), and the
// flaky access line (a real TCP relay that drops and refuses, then carries again).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../agent/config/load-config.ts';
import { formatPrefix } from '../../agent/policy/address.ts';
import { queryInterfaces } from '../../agent/openwrt/netifd-query.ts';
import { boardReport } from '../../agent/openwrt/system-board.ts';
import { UbusError } from '../../agent/openwrt/ubus-status.ts';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import { seededRandom } from '../../sim/random.ts';
import { RELAYS, routerConfig, type AgentRouterSpec } from '../../start/routers/agent-router.ts';
import { openFlakyLine } from '../../start/routers/flaky-line.ts';
import { createSimulatedUbus } from '../../start/routers/simulated-ubus.ts';

function spec(profile: AgentRouterSpec['profile']): AgentRouterSpec {
  return {
    index: 3,
    id: '02f500000003',
    profile,
    broker: 'mqtt://127.0.0.1:1883',
    verifyKeyFile: '/tmp/keys/router-verify-key.pem',
    routerDir: '/tmp/routers/02f500000003',
    runDir: '/tmp/run/02f500000003',
    reportIntervalS: 60,
    random: seededRandom(1),
    log: () => {},
  };
}

test('the config is what the agent reads: signed control, its own id and state, the relays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-start-config-'));
  try {
    const runtime = createNodeRuntime([]);
    for (const profile of ['quiet', 'static'] as const) {
      const path = join(dir, profile);
      writeFileSync(path, routerConfig(spec(profile)));
      const config = loadConfig(runtime, path);
      assert.equal(config.warnings, []);
      assert.is(config.policy.enabled, profile !== 'static');
      assert.equal(config.policy.allow.map(formatPrefix), RELAYS);
      assert.equal(config.wanInterfaces, ['wan']);
      assert.is(config.agent.deviceId, '02f500000003');
      assert.is(config.agent.verifyKeyFile, '/tmp/keys/router-verify-key.pem');
      assert.is(config.agent.allowUnsigned, false);
      assert.is(config.agent.stateDir, '/tmp/routers/02f500000003/state');
      assert.is(config.agent.reportIntervalS, 60);
      assert.is(config.mqtt?.broker, 'mqtt://127.0.0.1:1883');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the simulated ubus answers the agent as ubusd and netifd do', async () => {
  const ubus = createSimulatedUbus(
    { model: 'GL.iNet GL-MT3000', board: 'glinet,gl-mt3000', release: 'OpenWrt 24.10.0 r28427' },
    { proto: 'pppoe', ipv4: '198.51.100.40' },
  );
  assert.equal(await boardReport(ubus), {
    model: 'GL.iNet GL-MT3000',
    board: 'glinet,gl-mt3000',
    release: 'OpenWrt 24.10.0 r28427',
  });
  const [wan] = await queryInterfaces(ubus, ['wan']);
  assert.equal(
    [wan?.proto, wan?.up, wan?.device, wan?.l3Device, wan?.ipv4],
    ['pppoe', true, 'eth1', 'pppoe-wan', ['198.51.100.40/32']],
  );
  try {
    await ubus.call('network.wireless', 'status');
    assert.unreachable('an unknown object');
  } catch (error) {
    assert.instance(error, UbusError);
    assert.is((error as UbusError).status, 'NOT_FOUND');
  }
  // The agent's liveness probe: its own event comes back to its listener, and only of that type.
  const heard: string[] = [];
  const listener = ubus.listen(['op25b.alive'], (e) => heard.push(JSON.stringify(e)));
  await ubus.send('op25b.alive', { token: 'a1' });
  await ubus.send('network.interface', { action: 'ifup', interface: 'wan' });
  await new Promise((r) => setImmediate(r));
  assert.equal(heard, ['{"type":"op25b.alive","data":{"token":"a1"}}']);
  listener.stop();
  await ubus.send('op25b.alive', { token: 'a2' });
  await new Promise((r) => setImmediate(r));
  assert.is(heard.length, 1);
});

function echoServer(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.pipe(s));
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

/** Connects, sends `text`, and resolves with what came back before the close (or 1 s). */
function roundTrip(port: number, text: string): Promise<{ echoed: string; closed: boolean }> {
  return new Promise((resolve) => {
    let echoed = '';
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(text));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ echoed, closed: false });
    }, 1000);
    socket.on('data', (d) => {
      echoed += d.toString();
      if (echoed === text) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ echoed, closed: false });
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ echoed, closed: true });
    });
  });
}

test('the flaky line carries, cuts open connections, refuses while down, carries again', async () => {
  const { server, port } = await echoServer();
  const line = await openFlakyLine('127.0.0.1', port);
  try {
    assert.equal(await roundTrip(line.port, 'hello'), { echoed: 'hello', closed: false });
    const open = connect(line.port, '127.0.0.1');
    await new Promise((r) => open.once('connect', r));
    const closed = new Promise((r) => open.once('close', r));
    open.on('error', () => {});
    line.cut();
    await closed; // the connection that was open ends, as a dropped access line ends it
    assert.not.ok(line.up);
    assert.equal(await roundTrip(line.port, 'x'), { echoed: '', closed: true });
    line.restore();
    assert.equal(await roundTrip(line.port, 'again'), { echoed: 'again', closed: false });
  } finally {
    await line.close();
    server.close();
  }
});

test.run();
