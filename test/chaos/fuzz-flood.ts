// The fuzz flood: cases sent in groups of WINDOW, each closed by a marker command, every reply
// scored; after each batch the kernel is compared with the baseline and the daemon checked alive.
import { BROKER_ADDRESS, PLAIN_PORT } from '../testbed/index.ts';
import type { Agent, Rig } from '../integration-mqtt/create-rig.ts';
import { comparable } from '../integration-mqtt/ruleset.ts';
import { topics } from '../integration-mqtt/topics.ts';
import { documentedReplyCodes } from './contract-codes.ts';
import { startFlood, type FloodMarker } from './flood-client.ts';
import type { CaseGenerator, FuzzCase } from './fuzz-case.ts';
import { codeOf, score, type Tally } from './fuzz-tally.ts';
import { attributeReplies } from './reply-attribution.ts';
import type { ScenarioContext } from './scenario.ts';

const BATCH = 250;
/** Messages per group: one marker round trip each (see scripts/flood.mjs). */
const WINDOW = 8;
const REPLY_TIMEOUT_MS = 5000;

export function reconnects(agent: Agent): number {
  return (agent.daemon.log().match(/MQTT: connected to /g) ?? []).length - 1;
}

/** Makes the marker closing group `n`: a valid command with its own id. */
export type MarkerMaker = (n: number) => FloodMarker;

export async function flood(
  context: ScenarioContext,
  rig: Rig,
  agent: Agent,
  device: string,
  cases: Iterable<FuzzCase>,
  marker: MarkerMaker,
  tally: Tally,
): Promise<void> {
  const t = topics(device);
  const documented = documentedReplyCodes();
  const baseline = JSON.stringify(comparable(await rig.bed.snapshot()));
  const client = openFlood(rig, device);
  let groups = 0;
  const topicOf = (c: FuzzCase): string => (c.kind === 'desired' ? t.desired : t.cmd);
  const group = async (items: readonly FuzzCase[]): Promise<void> => {
    const result = await client.group(
      items.map((c) => ({ topic: topicOf(c), bytes: c.bytes, retain: c.retain })),
      marker(++groups),
    );
    tally.ms.push(result.ms / (items.length + 1));
    // `superseded` replies come early and name no message: see reply-attribution.ts.
    const codes = result.replies.map((r) => codeOf(r).code);
    const attributed = attributeReplies(items, result.replies, codes);
    if (attributed) items.forEach((c, i) => score(tally, documented, c, attributed[i]!));
    else if (items.length === 1) score(tally, documented, items[0]!, null);
    else {
      // Some replies are missing: which ones is unknown, so none of the group is scored by code.
      tally.sent += items.length;
      tally.unanswered += Math.max(0, items.length - result.replies.length);
      tally.unattributed += items.length;
    }
    if (!result.marker) tally.markerLost++;
  };
  try {
    let batch: FuzzCase[] = [];
    const run = async (): Promise<void> => {
      // Hostile cases go alone, so that each reply is known to be theirs.
      for (let i = 0; i < batch.length;) {
        const size = batch[i]!.family.startsWith('hostile.') ? 1 : WINDOW;
        const items: FuzzCase[] = [];
        while (
          items.length < size &&
          i < batch.length &&
          (items.length === 0 || !batch[i]!.family.startsWith('hostile.'))
        )
          items.push(batch[i++]!);
        await group(items);
      }
      if (JSON.stringify(comparable(await rig.bed.snapshot())) !== baseline) tally.kernelChanged++;
      if (!agent.daemon.running()) tally.crashed = true;
      context.progress(`fuzz ${device}: ${tally.sent} sent, ${tally.unanswered} unanswered`);
      batch = [];
    };
    for (const c of cases) {
      batch.push(c);
      if (batch.length === BATCH) await run();
      if (tally.crashed || performance.now() > context.deadline) break;
    }
    if (batch.length && !tally.crashed) await run();
  } finally {
    client.close();
  }
}

export function* generate(generator: CaseGenerator, count: number): Generator<FuzzCase> {
  for (let i = 0; i < count; i++) yield generator.next(i % 5 < 3 ? 'desired' : 'cmd');
}

export function openFlood(rig: Rig, device: string) {
  const t = topics(device);
  return startFlood(rig.bed.ns.wan, {
    url: `mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`,
    username: rig.files.isp.user,
    password: rig.files.isp.password,
    replyTopic: t.reply,
    stateTopic: t.state,
    timeoutMs: REPLY_TIMEOUT_MS,
  });
}
