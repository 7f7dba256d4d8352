import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addWanDevices,
  PID_FILE,
  readLiveStatus,
  runningDaemonPid,
  readWanDevices,
  STATUS_FILE,
  WAN_DEVICES_FILE,
  writeWanDevices,
} from '../../../agent/daemon/run-files.ts';
import { clockRuntime } from './fake-clock.ts';

const RUN = '/var/run/op25b';

function withDaemon(pidText: string, cmdline: string | null) {
  const runtime = clockRuntime();
  runtime.files.set(`${RUN}/${PID_FILE}`, pidText);
  if (cmdline !== null) runtime.files.set(`/proc/4242/cmdline`, cmdline);
  return runtime;
}

const AGENT_CMDLINE = 'qjs\0/usr/share/op25b/op25b-agent.js\0run\0';

test('the file names', () => {
  assert.is(PID_FILE, 'daemon.pid');
  assert.is(STATUS_FILE, 'status.json');
});

test('a pid file naming a live agent process gives its pid', () => {
  assert.is(runningDaemonPid(withDaemon('4242\n', AGENT_CMDLINE), RUN), 4242);
});

test('no pid file, or a pid file with anything but a pid, gives null', () => {
  assert.is(runningDaemonPid(clockRuntime(), RUN), null);
  for (const text of ['', '\n', 'abc', '0', '-1', '04242', '4242 1', '12345678901', '42.5'])
    assert.is(runningDaemonPid(withDaemon(text, AGENT_CMDLINE), RUN), null, JSON.stringify(text));
});

test('a stale pid (no such process, or someone else now) gives null', () => {
  assert.is(runningDaemonPid(withDaemon('4242', null), RUN), null);
  assert.is(runningDaemonPid(withDaemon('4242', '/usr/sbin/dnsmasq\0-C\0'), RUN), null);
});

test('readLiveStatus returns the status file only while the daemon runs', () => {
  const live = withDaemon('4242', AGENT_CMDLINE);
  live.files.set(`${RUN}/${STATUS_FILE}`, '{"policy":{}}\n');
  assert.is(readLiveStatus(live, RUN), '{"policy":{}}\n');
  const stale = withDaemon('4242', null);
  stale.files.set(`${RUN}/${STATUS_FILE}`, '{"policy":{}}\n');
  assert.is(readLiveStatus(stale, RUN), null);
  assert.is(readLiveStatus(withDaemon('4242', AGENT_CMDLINE), RUN), null, 'no status yet');
});

test('the WAN devices the daemon saw: written one a line, read back only while it runs', () => {
  const runtime = withDaemon('4242', AGENT_CMDLINE);
  writeWanDevices(runtime, RUN, ['pppoe-wan', 'eth0.2']);
  assert.is(runtime.files.get(`${RUN}/${WAN_DEVICES_FILE}`), 'pppoe-wan\neth0.2\n');
  assert.equal(readWanDevices(runtime, RUN), ['pppoe-wan', 'eth0.2']);
  runtime.files.delete(`/proc/4242/cmdline`);
  assert.equal(readWanDevices(runtime, RUN), [], 'no daemon: nothing remembered');
});

test('a tampered WAN device file yields only valid device names', () => {
  const runtime = withDaemon('4242', AGENT_CMDLINE);
  runtime.files.set(`${RUN}/${WAN_DEVICES_FILE}`, 'wan\nbad name\n"q"\n\nwan6-x\n');
  assert.equal(readWanDevices(runtime, RUN), ['wan', 'wan6-x']);
});

test("addWanDevices: joins the running daemon's list, re-read first; no daemon, no file", () => {
  const runtime = withDaemon('4242\n', AGENT_CMDLINE);
  writeWanDevices(runtime, RUN, ['pppoe-wan', 'wan']);
  addWanDevices(runtime, RUN, ['wan', 'pppoe-wan4']);
  assert.equal(readWanDevices(runtime, RUN), ['pppoe-wan', 'pppoe-wan4', 'wan']);
  const alone = clockRuntime();
  addWanDevices(alone, RUN, ['wan']);
  assert.is(alone.files.get(`${RUN}/${WAN_DEVICES_FILE}`), undefined);
});

test.run();
