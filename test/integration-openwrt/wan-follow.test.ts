// The daemon under dist/qjs in the router namespace follows netifd over the ubus stand-in:
// PPPoE comes up, goes down, reconnects, changes addresses; a new WAN device appears; ubusd
// restarts. The kernel rules follow within a second, and a prober on LAN 1 that keeps connecting
// to port 25 of a foreign host never gets through, before, during or after any change.
// One scenario: each step starts from what the step before left (the steps live in
// wan-follow-links.ts, wan-follow-resync.ts and wan-follow-finish.ts, in this order).
import { suite } from 'uvu';
import { BACKENDS, type BackendSetting } from '../testbed/agent.ts';
import { finishSteps } from './wan-follow-finish.ts';
import { linkSteps } from './wan-follow-links.ts';
import { resyncSteps } from './wan-follow-resync.ts';
import { WanFollowRun } from './wan-follow-run.ts';

function wanSuite(setting: BackendSetting): void {
  const test = suite(`openwrt: the WAN devices follow netifd (${setting.label})`);
  const run = new WanFollowRun(setting);
  test.before(() => run.setUp());
  test.after(() => run.tearDown());
  linkSteps(test, run);
  resyncSteps(test, run);
  finishSteps(test, run);
  test.run();
}

wanSuite(BACKENDS.nftables);
wanSuite(BACKENDS.iptablesLegacy);
