// The repair loop: on each rule-watch event (`nft monitor`, or the periodic check) the kernel
// is compared with the policy in force and put back when someone else changed it.
import type { ControlHost } from './control-host.ts';
import { watchRules, type RuleWatch } from './rule-watch.ts';

// On nftables `nft monitor` is the event source: the periodic check is only a safety net.
const VERIFY_INTERVAL_S = { nftables: 3600, iptables: 5, simulated: 30 } as const;

export type RepairHost = Pick<
  ControlHost,
  'runtime' | 'log' | 'config' | 'enforcer' | 'reporter' | 'fail' | 'wan' | 'desired' | 'effective'
>;

export function startRepairs(host: RepairHost): RuleWatch {
  const backend = host.enforcer.enforcement.decision.name;
  const seconds = host.config.agent.verifyIntervalS || VERIFY_INTERVAL_S[backend];
  // Before a repair: the shared list and netifd again, so that a device another command
  // added (or an event we missed) is never taken out.
  const current = async () => {
    host.wan.adoptShared();
    await host.wan.tracker?.refresh();
    host.effective = host.wan.effectiveFor(host.desired);
    return host.effective.policy;
  };
  return watchRules(host.runtime, backend, seconds * 1000, host.log, (reason) => {
    void host.enforcer
      .check(host.effective.policy, current)
      .then(({ repaired }) => {
        if (repaired) {
          host.log.info(`repaired after ${reason}`);
          void host.reporter.request();
        }
      })
      .catch((error: unknown) => {
        host.fail(error, 'check failed');
        void host.reporter.request();
      });
  });
}
