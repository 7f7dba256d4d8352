// The WAN-follow scenario's last steps: what the prober saw all along, the status file, a reload
// with another wan_interface list, and SIGTERM.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidCommand } from '../mqtt/processes.ts';
import { kernelDevices } from './kernel-devices.ts';
import type { WanFollowRun } from './wan-follow-run.ts';
import { followPolicy, RELAY_25 } from './wan-follow-plan.ts';

export function finishSteps(test: Test, run: WanFollowRun): void {
  const { setting, ready, waitSyslog, expectDevices } = run;

  test('the prober never reached port 25 of the foreign host', async () => {
    ready();
    const records = run.prober!.records();
    const foreign = records.filter((r) => r.port === 25 && r.host !== RELAY_25.host);
    assert.ok(foreign.length > 40, `only ${foreign.length} attempts`);
    assert.equal(
      foreign.filter((r) => r.result === 'connected'),
      [],
    );
    const submissions = records.filter((r) => r.port === 587 && r.result === 'connected');
    assert.ok(submissions.length > 5, 'port 587 stayed open');
  });

  test('the status names the router, its release and the WAN protocol', async () => {
    const { files: f } = ready();
    const path = join(f.runDir, 'status.json');
    const deadline = Date.now() + 3000;
    let status: { device: Record<string, unknown>; policy: { wan_devices: string[] } } | null =
      null;
    while (Date.now() < deadline) {
      if (existsSync(path)) {
        status = JSON.parse(readFileSync(path, 'utf8'));
        if (status!.policy.wan_devices.includes('pppoe-wan5')) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status?.device, {
      id: 'cpe-openwrt',
      model: 'Test Router',
      board: 'test,router',
      release: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
      wan_proto: 'pppoe',
    });
    assert.equal(status?.policy.wan_devices, [
      'pppoe-wan',
      'pppoe-wan2',
      'pppoe-wan3',
      'pppoe-wan4',
      'pppoe-wan5',
      'wan',
      'wwan0',
    ]);
  });

  test('SIGHUP with another wan_interface list forgets the devices seen before', async () => {
    const { files: f } = ready();
    f.config(
      followPolicy(setting),
      { log_target: 'syslog', log_level: 'debug' },
      ["list wan_interface 'wan'"],
      run.configPath,
    );
    await run.wwan!.destroy();
    run.daemon!.signal('SIGHUP');
    await expectDevices(['pppoe-wan', 'pppoe-wan5', 'wan'], 3000);
    await waitSyslog(/op25b: config reloaded$/);
  });

  test('SIGTERM: exit 0, the rules stay, the last line reaches syslog, no child left', async () => {
    ready();
    const children = run.daemon!.children();
    assert.is(await run.daemon!.stop(), 0);
    await waitSyslog(/daemon\.info op25b: stopped; the rules stay in place$/, 1000);
    assert.equal(await kernelDevices(run.bed!, setting), ['pppoe-wan', 'pppoe-wan5', 'wan']);
    await new Promise((r) => setTimeout(r, 200));
    const left = children.map(pidCommand).filter((c) => /ubus|logger/.test(c));
    assert.equal(left, [], 'ubus listen and the loggers end with the daemon');
    assert.equal(run.standins!.listeners(), [], 'no ubus listen process left');
  });
}
