// The backend suite's apply and remove steps: before apply, drop, reject, apply twice, remove,
// and enabled '0'; each proved with real connections.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT } from '../testbed/index.ts';
import type { BackendContext } from './backend-context.ts';
import { expectSameRuleset } from './backend-ruleset.ts';
import { allowedRows, blockedRows, expectExit, expectTraffic } from './support.ts';

export function applySteps(test: Test, ctx: BackendContext): void {
  const { holder, policy } = ctx;

  test('before apply everything connects, and verify reports the block missing', async () => {
    const bed = holder.get();
    await expectTraffic(bed, [...blockedRows('connected'), ...allowedRows()]);
    const verify = await bed.agent.runWith('verify', policy());
    expectExit(verify, EXIT.drift, 'verify before apply');
  });

  test('drop: port 25 to foreign hosts times out from LANs and router; the rest passes', async () => {
    const bed = holder.get();
    const apply = await bed.agent.runWith('apply', policy({ action: 'drop' }));
    expectExit(apply, EXIT.ok, 'apply');
    assert.match(apply.stdout, /^applied \(/);
    await expectTraffic(bed, [...blockedRows('timeout'), ...allowedRows()]);
  });

  test('reject: port 25 to foreign hosts is refused at once; the rest passes', async () => {
    const bed = holder.get();
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    await expectTraffic(bed, [...blockedRows('refused'), ...allowedRows()]);
  });

  test('apply twice: the same ruleset, and the second apply says "already in place"', async () => {
    const bed = holder.get();
    expectExit(await bed.agent.runWith('apply', policy()), EXIT.ok, 'first apply');
    const first = await bed.snapshot();
    const again = await bed.agent.runWith('apply', policy());
    expectExit(again, EXIT.ok, 'second apply');
    assert.match(again.stdout, /^already in place \(/);
    expectSameRuleset(first, await bed.snapshot(), 'second apply');
    // The snapshot does see a policy change (so the equality above means something).
    const changed = await bed.agent.runWith('apply', policy({ action: 'reject' }));
    expectExit(changed, EXIT.ok, 'apply with another action');
    assert.match(changed.stdout, /^applied \(/);
    assert.not.equal(await bed.snapshot(), first, 'a new action must change the ruleset');
  });

  test('remove restores exactly the ruleset from before the first apply', async () => {
    const bed = holder.get();
    const before = await bed.snapshot();
    expectSameRuleset(ctx.baseline!, before, 'before the first apply');
    // A life before removal: a block, counted traffic, a policy change.
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    assert.not.equal(await bed.snapshot(), before, 'apply must add rules');
    await expectTraffic(bed, blockedRows('refused'));
    expectExit(await bed.agent.runWith('apply', policy()), EXIT.ok, 'apply (drop)');
    const remove = await bed.agent.run(['remove']);
    expectExit(remove, EXIT.ok, 'remove');
    assert.match(remove.stdout, /^removed/);
    expectSameRuleset(before, await bed.snapshot(), 'after remove');
    expectExit(await bed.agent.run(['remove']), EXIT.ok, 'second remove');
    expectSameRuleset(before, await bed.snapshot(), 'after a second remove');
    await expectTraffic(bed, blockedRows('connected'));
  });

  test("enabled '0': apply removes the block and connections succeed again", async () => {
    const bed = holder.get();
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    await expectTraffic(bed, blockedRows('refused'));
    const off = policy({ enabled: '0' });
    const apply = await bed.agent.runWith('apply', off);
    expectExit(apply, EXIT.ok, "apply with enabled '0'");
    assert.match(apply.stdout, /^applied \(.*block off/);
    await expectTraffic(bed, [...blockedRows('connected'), ...allowedRows()]);
    expectSameRuleset(ctx.baseline!, await bed.snapshot(), "after apply with enabled '0'");
    expectExit(await bed.agent.runWith('verify', off), EXIT.ok, "verify with enabled '0'");
    const again = await bed.agent.runWith('apply', off);
    expectExit(again, EXIT.ok, "second apply with enabled '0'");
    assert.match(again.stdout, /^already in place/);
  });
}
