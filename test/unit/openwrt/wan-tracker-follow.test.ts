// How the WAN tracker follows netifd: devices and protos from a dump, devices that stay once
// seen, one query per burst of events, ubus failing and back, the listener restarting, resync.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DUMP, pppoeDown, pppoeUp, rig } from './wan-tracker-rig.ts';

test('refresh: the devices and the proto of the WAN interfaces; a change is reported', async () => {
  const r = rig();
  r.interfaces = [pppoeUp, { interface: 'lan', up: true, proto: 'static', l3_device: 'br-lan' }];
  assert.equal(r.tracker.devices(), []);
  await r.tracker.refresh();
  assert.equal(r.tracker.devices(), ['pppoe-wan', 'wan']);
  assert.is(r.tracker.proto(), 'pppoe');
  assert.is(r.changes, 1);
  assert.ok(r.log.lines.includes('info: WAN: wan pppoe up pppoe-wan 203.0.113.7/32'));
  await r.tracker.refresh();
  assert.is(r.changes, 0 + 1, 'nothing new: no change');
});

test('devices once seen stay: ifdown and a reconnect on another device only add', async () => {
  const r = rig();
  r.interfaces = [{ ...pppoeUp, l3_device: 'wwan0', proto: 'qmi', device: undefined }];
  await r.tracker.refresh();
  assert.equal(r.tracker.devices(), ['wwan0']);
  r.interfaces = [{ interface: 'wan', up: false, proto: 'qmi' }];
  await r.tracker.refresh();
  assert.equal(r.tracker.devices(), ['wwan0'], 'ifdown removes nothing');
  assert.is(r.changes, 1);
  r.interfaces = [{ interface: 'wan', up: true, proto: 'qmi', l3_device: 'wwan1' }];
  await r.tracker.refresh();
  assert.equal(r.tracker.devices(), ['wwan0', 'wwan1']);
  assert.is(r.changes, 2);
});

test('a PPPoE interface that never connected already blocks pppoe-<name>', async () => {
  const r = rig();
  r.interfaces = [pppoeDown];
  await r.tracker.refresh();
  assert.equal(r.tracker.devices(), ['pppoe-wan', 'wan']);
  assert.is(r.tracker.proto(), 'pppoe');
});

test('ifup, ifdown, ifupdate of a WAN interface trigger one query per burst, at once', async () => {
  const r = rig();
  r.interfaces = [pppoeDown];
  await r.tracker.refresh();
  r.tracker.start();
  assert.equal(r.runtime.children[0]!.argv.slice(-4), [
    'ubus',
    'listen',
    'network.interface',
    'op25b.alive',
  ]);
  await r.runtime.advance(300); // the resync after the listener started
  const before = r.dumps();
  r.interfaces = [{ ...pppoeUp, l3_device: 'pppoe-wan2' }];
  r.event('ifup', 'wan');
  r.event('ifup', 'wan6');
  r.event('ifupdate', 'wan');
  await r.runtime.advance(29);
  assert.is(r.dumps(), before, 'not before the burst is over');
  await r.runtime.advance(1);
  assert.is(r.dumps(), before + 1);
  assert.equal(r.tracker.devices(), ['pppoe-wan', 'pppoe-wan2', 'wan']);
  for (const action of ['ifdown', 'ifupdate']) {
    r.event(action, 'wan');
    await r.runtime.advance(30);
  }
  assert.is(r.dumps(), before + 3);
  r.tracker.stop();
});

test('events of other interfaces, other actions and other types are ignored', async () => {
  const r = rig(['wan']);
  await r.tracker.refresh();
  r.tracker.start();
  await r.runtime.advance(300);
  const before = r.dumps();
  r.event('ifup', 'lan');
  r.event('ifup', 'wan6');
  r.event('ifup-failed', 'wan');
  r.event('update', 'wan');
  r.runtime.children[0]!.emit('{ "network.device": {"action":"ifup","interface":"wan"} }\n');
  await r.runtime.advance(1000);
  assert.is(r.dumps(), before);
  r.tracker.stop();
});

test('ubus failing: one warning, the devices stay; back: one info line', async () => {
  const r = rig();
  r.interfaces = [pppoeUp];
  await r.tracker.refresh();
  r.runtime.answer(DUMP, { code: 255 });
  await r.tracker.refresh();
  await r.tracker.refresh();
  assert.equal(r.tracker.devices(), ['pppoe-wan', 'wan']);
  const warnings = r.log.lines.filter((l) => l.startsWith('warn:'));
  assert.equal(warnings, [
    'warn: cannot read the WAN interfaces (ubus call network.interface dump: CONNECTION_FAILED); devices kept',
  ]);
  r.runtime.answer(DUMP, () => ({ stdout: JSON.stringify({ interface: r.interfaces }) }));
  await r.tracker.refresh();
  assert.is(r.log.lines.filter((l) => l.startsWith('info: WAN: wan pppoe up')).length, 2);
});

test('configured interfaces netifd does not know are named in a warning', async () => {
  const r = rig(['wan', 'wwan'], true);
  r.interfaces = [pppoeUp];
  await r.tracker.refresh();
  assert.ok(r.log.lines.includes('warn: WAN interface not known to netifd: wwan'));
  const quiet = rig(['wan', 'wan6'], false);
  quiet.interfaces = [pppoeUp];
  await quiet.tracker.refresh();
  assert.not.ok(quiet.log.lines.some((l) => l.includes('not known')));
});

test('the listener restarting: a warning, then a resync query', async () => {
  const r = rig();
  await r.tracker.refresh();
  r.tracker.start();
  await r.runtime.advance(300);
  const before = r.dumps();
  r.runtime.children[0]!.exit(0);
  assert.ok(r.log.lines.includes('warn: ubus listen exited (0); restarting in 1000 ms'));
  await r.runtime.advance(1000);
  assert.is(r.runtime.children.length, 2);
  await r.runtime.advance(300);
  assert.is(r.dumps(), before + 1);
  r.tracker.stop();
  assert.is(r.runtime.children[1]!.killedWith, 15);
  assert.is(r.runtime.pendingTimers(), 0);
});

test('resync restarts the listener and queries netifd; adopt adds and says what was new', async () => {
  const r = rig();
  r.tracker.start();
  await r.runtime.advance(300);
  const before = r.dumps();
  r.interfaces = [pppoeUp];
  await r.tracker.resync();
  assert.is(r.runtime.children.length, 2);
  assert.ok(r.dumps() > before);
  assert.equal(r.tracker.devices(), ['pppoe-wan', 'wan']);
  assert.equal(r.tracker.adopt(['wan', 'wwan0']), ['wwan0']);
  assert.equal(r.tracker.devices(), ['pppoe-wan', 'wan', 'wwan0']);
  r.tracker.stop();
});

test.run();
