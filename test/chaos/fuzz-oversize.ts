// The retained oversize message of issue 11 §1 in the fuzz scenario: refused with a reply, and
// the router stays connected; the router's own desired state is retained again afterwards.
import type { Agent, Rig } from '../integration-mqtt/create-rig.ts';
import { ROUTER, topics } from '../integration-mqtt/topics.ts';
import { sleep } from '../integration-mqtt/waits.ts';
import { baseDesired } from './fuzz-case.ts';
import { openFlood, reconnects } from './fuzz-flood.ts';
import { codeOf } from './fuzz-tally.ts';
import type { ScenarioContext } from './scenario.ts';

/** The retained oversize message of issue 11 §1: refused with a reply, the router stays online. */
export async function retainedOversize(
  context: ScenarioContext,
  rig: Rig,
  agent: Agent,
): Promise<void> {
  const { report } = context;
  const t = topics(ROUTER);
  const before = reconnects(agent);
  const client = openFlood(rig, ROUTER);
  try {
    const verify = (id: string) => ({
      topic: t.cmd,
      id,
      bytes: new TextEncoder().encode(JSON.stringify({ id, op: 'verify' })),
    });
    const refused = await client.group(
      [{ topic: t.desired, bytes: new Uint8Array(70_000).fill(0xff), retain: true }],
      verify('oversize-marker'),
    );
    await sleep(3000);
    const answer = await client.group([], verify('after-oversize'));
    const reply = refused.replies[0] ? codeOf(refused.replies[0]).code : 'no reply';
    const answered = answer.marker ? 'ok' : 'no reply';
    const dropped = reconnects(agent) - before;
    report.check('fuzz.retained_oversize_refused', reply === 'payload_too_large', `reply ${reply}`);
    report.check(
      'fuzz.retained_oversize_stays_connected',
      dropped === 0 && answered === 'ok',
      `${dropped} reconnects, command ${answered}`,
    );
    // Put the router's own desired state back as the retained message.
    await client.group(
      [
        {
          topic: t.desired,
          bytes: new TextEncoder().encode(JSON.stringify(baseDesired())),
          retain: true,
        },
      ],
      verify('restored-marker'),
    );
  } finally {
    client.close();
  }
}
