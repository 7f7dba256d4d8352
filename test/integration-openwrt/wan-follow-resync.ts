// The WAN-follow steps where the daemon must catch up without an event: ubusd restarts or is
// down, a one-shot apply adds a device, SIGHUP with an unchanged config.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAgent } from './agent-process.ts';
import { kernelDevices } from './kernel-devices.ts';
import type { WanFollowRun } from './wan-follow-run.ts';
import { pppoe } from './wan-follow-plan.ts';

export function resyncSteps(test: Test, run: WanFollowRun): void {
  const { setting, ready, syslog, waitSyslog, expectDevices } = run;

  test('ubusd restarts under the daemon: it notices, catches up, and follows the next change', async () => {
    const { standins: s } = ready();
    // While ubusd keeps its socket the daemon starts no `ubus send` (#10: it did one per interval).
    const events = join(s.path, 'ubus', 'events');
    const alive = () =>
      (existsSync(events) ? readFileSync(events, 'utf8') : '')
        .split('\n')
        .filter((l) => l.includes('"op25b.alive"')).length;
    const quiet = alive();
    await new Promise((r) => setTimeout(r, 4500));
    assert.is(alive(), quiet, 'an idle daemon sent itself ubus events');
    let from = syslog().length;
    // A quick restart (procd respawns ubusd): the old listener stays, deaf, and says nothing.
    s.restartDaemon();
    await waitSyslog(/daemon\.warning op25b: ubusd restarted \(a new socket\)/, 15000, from);
    await s.waitForListeners(1);
    s.setInterface('wan', pppoe(true, 'pppoe-wan3'));
    s.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await expectDevices(['pppoe-wan', 'pppoe-wan3', 'wan', 'wwan0'], 5000);
    await waitSyslog(/daemon\.info op25b: ubus listen hears events again$/, 15000, from);
    // ubusd down for a while: the session comes back on another device; no event reaches us.
    from = syslog().length;
    s.setDaemonDown(true);
    await waitSyslog(
      /daemon\.warning op25b: ubus unreachable \(.*\); WAN devices kept/,
      15000,
      from,
    );
    s.setInterface('wan', pppoe(true, 'pppoe-wan2'));
    s.setDaemonDown(false);
    await expectDevices(['pppoe-wan', 'pppoe-wan2', 'pppoe-wan3', 'wan', 'wwan0'], 15000);
    await waitSyslog(/daemon\.info op25b: ubus listen hears events again$/, 15000, from);
    const warnings = syslog()
      .slice(from)
      .filter((l) => /daemon\.warning op25b: ubus/.test(l));
    assert.is(warnings.length, 1, `one warning for the outage: ${warnings.join('; ')}`);
    await s.waitForListeners(1);
  });

  test('a one-shot apply adds a device the daemon missed: the daemon keeps it', async () => {
    const { bed: b, standins: s } = ready();
    const from = syslog().length;
    // netifd moved the session to a new device, but no event came (as with a deaf listener).
    s.setInterface('wan', pppoe(true, 'pppoe-wan4'));
    const apply = await runAgent(b, s, ['apply', '--config', run.configPath]);
    assert.is(apply.code, 0, apply.stderr);
    const all = ['pppoe-wan', 'pppoe-wan2', 'pppoe-wan3', 'pppoe-wan4', 'wan', 'wwan0'];
    assert.equal(await kernelDevices(b, setting), all);
    await waitSyslog(/op25b: WAN devices added by another command: pppoe-wan4$/, 8000, from);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await kernelDevices(b, setting), all, 'the daemon took a device out');
    assert.equal(
      syslog()
        .slice(from)
        .filter((l) => /rules changed behind/.test(l)),
      [],
    );
  });

  test('SIGHUP resynchronises even when the config did not change', async () => {
    const { standins: s } = ready();
    s.setInterface('wan', pppoe(true, 'pppoe-wan5'));
    run.daemon!.signal('SIGHUP');
    await expectDevices(
      ['pppoe-wan', 'pppoe-wan2', 'pppoe-wan3', 'pppoe-wan4', 'pppoe-wan5', 'wan', 'wwan0'],
      5000,
    );
  });
}
