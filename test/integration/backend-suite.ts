// The integration suite run against one netfilter backend in a real kernel: every check goes
// through real connections in network namespaces, before and after the agent acts. The steps
// live in backend-apply-steps.ts, backend-check-steps.ts and backend-flow-steps.ts.
import { suite } from 'uvu';
import { checkAgentBuilt, createTestbed, type BackendSetting } from '../testbed/index.ts';
import { applySteps } from './backend-apply-steps.ts';
import type { BackendContext } from './backend-context.ts';
import { checkSteps } from './backend-check-steps.ts';
import { flowSteps } from './backend-flow-steps.ts';
import { expectSameRuleset } from './backend-ruleset.ts';
import { bedHolder, standardPolicy } from './support.ts';

export function backendSuite(setting: BackendSetting): void {
  const test = suite(`integration: ${setting.label}`);
  const holder = bedHolder();
  const ctx: BackendContext = {
    setting,
    holder,
    policy: (overrides = {}) => standardPolicy(setting, overrides),
    baseline: null,
  };

  test.before(async () => {
    try {
      checkAgentBuilt();
      const bed = await createTestbed();
      holder.set(bed);
      await bed.installBaseline(setting);
      ctx.baseline = await bed.snapshot();
    } catch (error) {
      holder.fail(error);
    }
  });

  // Every test starts from the baseline firewall with no agent rules and no tracked flows.
  test.before.each(async () => {
    const bed = holder.get();
    await bed.installBaseline(setting);
    expectSameRuleset(ctx.baseline!, await bed.snapshot(), 'baseline reset');
  });

  test.after(async () => {
    const bed = holder.take();
    if (bed) await bed.destroy();
  });

  applySteps(test, ctx);
  checkSteps(test, ctx);
  flowSteps(test, ctx);

  test.run();
}
