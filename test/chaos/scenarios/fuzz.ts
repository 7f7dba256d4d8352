// Payload fuzz: thousands of desired/cmd payloads, unsigned to a router without a key and signed
// to a router with one. Every message must be answered with a documented code (the expected one
// where the mutation says), the daemon must not crash, and the kernel must not change: the
// routers enforce a desired state of the newest possible version, so nothing sent can apply.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, BROKER_ADDRESS, PLAIN_PORT } from '../../testbed/index.ts';
import {
  comparable,
  createRig,
  OTHER_ROUTER,
  request,
  ROUTER,
  sleep,
  topics,
  type Agent,
  type Rig,
} from '../../integration-mqtt/rig.ts';
import { documentedReplyCodes } from '../contract-codes.ts';
import { startFlood, type FloodMarker } from '../flood-client.ts';
import {
  baseDesired,
  hostileCases,
  unsignedGenerator,
  type CaseGenerator,
  type FuzzCase,
} from '../payloads.ts';
import { procStats, resetPeakRss } from '../proc-stats.ts';
import { seededRandom } from '../random.ts';
import { percentile } from '../report.ts';
import { attributeReplies } from '../reply-attribution.ts';
import type { ScenarioContext } from '../scenario.ts';
import { jws, makeSigningKeys, signedGenerator } from '../signed-payloads.ts';

const BATCH = 250;
/** Messages per group: one marker round trip each (see scripts/flood.mjs). */
const WINDOW = 8;
const REPLY_TIMEOUT_MS = 5000;
/** "Back near idle" after a flood: what the daemon may keep for good. */
const RSS_SLACK_KB = 2048;

interface Tally {
  sent: number;
  unanswered: number;
  unattributed: number;
  markerLost: number;
  internal: number;
  undocumented: number;
  unexpected: number;
  misaligned: number;
  kernelChanged: number;
  crashed: boolean;
  readonly codes: Map<string, number>;
  /** `<family>.<kind>.<code>` of every reply with `internal`, or not the expected code. */
  readonly unexpectedBy: Map<string, number>;
  readonly examples: string[];
  readonly ms: number[];
  readonly hostile: Map<string, string>;
}

function newTally(): Tally {
  return {
    sent: 0, unanswered: 0, unattributed: 0, markerLost: 0, internal: 0, undocumented: 0, unexpected: 0, misaligned: 0,
    kernelChanged: 0, crashed: false, codes: new Map(), unexpectedBy: new Map(), examples: [], ms: [], hostile: new Map(),
  }; // prettier-ignore
}

function codeOf(reply: string): { code: string; id: unknown } {
  try {
    const r = JSON.parse(reply) as { ok?: boolean; id?: unknown; error?: { code?: unknown } };
    return { code: r.ok === true ? 'ok' : String(r.error?.code ?? 'no_code'), id: r.id };
  } catch {
    return { code: 'unparseable_reply', id: undefined };
  }
}

function score(tally: Tally, documented: Set<string>, c: FuzzCase, reply: string | null): void {
  tally.sent++;
  const example = (what: string): void => {
    if (tally.examples.length < 12)
      tally.examples.push(
        `${what} [${c.family} ${c.kind} ${Buffer.from(c.bytes).toString('utf8').slice(0, 90)}]`,
      );
  };
  if (reply === null) {
    tally.unanswered++;
    if (c.family.startsWith('hostile.')) tally.hostile.set(c.family, 'no reply');
    return example('no reply');
  }
  const { code, id } = codeOf(reply);
  // A desired state replaced by a newer one before it was read: the contract's answer for it.
  const superseded = c.kind === 'desired';
  tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
  if (c.family.startsWith('hostile.')) tally.hostile.set(c.family, code);
  if (code === 'internal') tally.internal++;
  if (code !== 'ok' && !documented.has(code)) tally.undocumented++;
  const wrong = (): void => {
    const key = `${c.family}.${c.kind}.${code}`;
    tally.unexpectedBy.set(key, (tally.unexpectedBy.get(key) ?? 0) + 1);
  };
  if (code === 'internal' || (code !== 'ok' && !documented.has(code))) {
    wrong();
    example(`code ${code}`);
  } else if (c.expect && !c.expect.includes(code) && !(superseded && code === 'superseded')) {
    tally.unexpected++;
    wrong();
    example(`code ${code}, expected ${c.expect.join('|')}`);
  }
  if (c.id !== undefined && id !== c.id) {
    tally.misaligned++;
    example(`reply id ${JSON.stringify(id)}`);
  }
}

function reconnects(agent: Agent): number {
  return (agent.daemon.log().match(/MQTT: connected to /g) ?? []).length - 1;
}

/** Makes the marker closing group `n`: a valid command with its own id. */
export type MarkerMaker = (n: number) => FloodMarker;

async function flood(
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

function* generate(generator: CaseGenerator, count: number): Generator<FuzzCase> {
  for (let i = 0; i < count; i++) yield generator.next(i % 5 < 3 ? 'desired' : 'cmd');
}

function openFlood(rig: Rig, device: string) {
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

/** The retained oversize message of issue 11 §1: refused with a reply, the router stays online. */
async function retainedOversize(context: ScenarioContext, rig: Rig, agent: Agent): Promise<void> {
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

function reportTally(context: ScenarioContext, tally: Tally, expectedOnly: boolean): void {
  const { report } = context;
  report.figure('fuzz.payloads', tally.sent);
  report.figure('fuzz.unanswered', tally.unanswered);
  report.figure('fuzz.unattributed', tally.unattributed);
  report.figure('fuzz.markers_lost', tally.markerLost);
  report.figure('fuzz.internal', tally.internal);
  report.figure('fuzz.undocumented_codes', tally.undocumented);
  report.figure('fuzz.unexpected_codes', tally.unexpected);
  report.figure('fuzz.misaligned_replies', tally.misaligned);
  report.figure('fuzz.kernel_changed_batches', tally.kernelChanged);
  report.figure('fuzz.ms_per_message_p50', percentile(tally.ms, 50));
  report.figure('fuzz.ms_per_message_p99', percentile(tally.ms, 99));
  for (const [code, n] of [...tally.codes].sort((a, b) => b[1] - a[1]))
    report.figure(`fuzz.code.${code}`, n);
  for (const [key, n] of [...tally.unexpectedBy].sort((a, b) => b[1] - a[1]))
    report.figure(`fuzz.unexpected.${key}`, n);
  for (const e of tally.examples) report.figure('fuzz.example', e);
  report.check('fuzz.no_crash', !tally.crashed);
  report.check(
    'fuzz.kernel_unchanged',
    tally.kernelChanged === 0,
    `${tally.kernelChanged} batches changed the ruleset`,
  );
  if (expectedOnly) return;
  report.check(
    'fuzz.all_answered',
    tally.unanswered === 0,
    `${tally.unanswered} of ${tally.sent} unanswered`,
  );
  report.check(
    'fuzz.documented_codes',
    tally.internal + tally.undocumented === 0,
    `${tally.internal} internal, ${tally.undocumented} undocumented`,
  );
  report.check(
    'fuzz.expected_codes',
    tally.unexpected === 0,
    `${tally.unexpected} with another code than the mutation's`,
  );
  for (const [family, code] of tally.hostile) {
    const want = hostileCases('x').find((c) => c.family === family)?.expect ?? [];
    report.check(`fuzz.${family}`, want.includes(code), `reply ${code}, want ${want.join('|')}`);
  }
}

export async function fuzzScenario(context: ScenarioContext): Promise<void> {
  const { report } = context;
  const random = seededRandom(context.options.seed);
  report.figure('fuzz.seed', context.options.seed);
  const rig = await createRig({ backend: BACKENDS.nftables });
  const tally = newTally();
  try {
    // Unsigned, to ROUTER (no verification key).
    const plain = await rig.startAgent(rig.config(ROUTER, { agent: { report_interval: 3600 } }));
    const first = await request(rig, topics(ROUTER).desired, JSON.stringify(baseDesired()), {
      retain: true,
    });
    if (!first.ok) throw new Error(`the base desired state was refused: ${JSON.stringify(first)}`);
    await sleep(2000);
    const idle = procStats(plain.daemon.pid);
    resetPeakRss(plain.daemon.pid);
    const half = Math.ceil(context.count / 2);
    const unsigned = [...hostileCases('h'), ...generate(unsignedGenerator(random, 'u'), half)];
    const cpuBefore = idle?.cpuMs ?? 0;
    const plainMarker: MarkerMaker = (n) => ({
      topic: topics(ROUTER).cmd,
      id: `sync-${n}`,
      bytes: new TextEncoder().encode(JSON.stringify({ id: `sync-${n}`, op: 'verify' })),
    });
    await flood(context, rig, plain, ROUTER, unsigned, plainMarker, tally);
    const after = procStats(plain.daemon.pid);
    await sleep(5000);
    const settled = procStats(plain.daemon.pid);
    report.figure('fuzz.rss_idle_kb', idle?.rssKb ?? -1);
    report.figure('fuzz.rss_after_flood_kb', after?.rssKb ?? -1);
    report.figure('fuzz.rss_settled_kb', settled?.rssKb ?? -1);
    report.figure('fuzz.peak_rss_kb', after?.peakRssKb ?? -1);
    report.figure('fuzz.daemon_cpu_ms', (after?.cpuMs ?? 0) - cpuBefore);
    report.figure('fuzz.reconnects_unsigned', reconnects(plain));
    if (idle && settled)
      report.check(
        'fuzz.rss_back_near_idle',
        settled.rssKb <= idle.rssKb + RSS_SLACK_KB,
        `idle ${idle.rssKb} kB, settled ${settled.rssKb} kB`,
      );
    if (!tally.crashed && performance.now() < context.deadline)
      await retainedOversize(context, rig, plain);

    // Signed, to OTHER_ROUTER (with the test key).
    if (!tally.crashed && performance.now() < context.deadline) {
      const keys = makeSigningKeys();
      const keyFile = join(rig.dir, 'chaos-public.pem');
      writeFileSync(keyFile, keys.publicPem);
      const signed = await rig.startAgent(
        rig.config(OTHER_ROUTER, { agent: { verify_key_file: keyFile, report_interval: 3600 } }),
      );
      const base = jws(
        '{"alg":"EdDSA"}',
        JSON.stringify({
          ...baseDesired(),
          sub: OTHER_ROUTER,
          exp: Math.floor(Date.now() / 1000) + 86400,
        }),
        keys.privateKey,
      );
      const ok = await request(rig, topics(OTHER_ROUTER).desired, base, { retain: true });
      const signedMarker: MarkerMaker = (n) => ({
        topic: topics(OTHER_ROUTER).cmd,
        id: `sync-${n}`,
        bytes: new TextEncoder().encode(
          jws(
            '{"alg":"EdDSA"}',
            JSON.stringify({
              id: `sync-${n}`,
              op: 'verify',
              sub: OTHER_ROUTER,
              exp: Math.floor(Date.now() / 1000) + 300,
            }),
            keys.privateKey,
          ),
        ),
      });
      if (!ok.ok)
        throw new Error(`the signed base desired state was refused: ${JSON.stringify(ok)}`);
      await flood(
        context,
        rig,
        signed,
        OTHER_ROUTER,
        generate(signedGenerator(random, keys, OTHER_ROUTER, 's'), context.count - half),
        signedMarker,
        tally,
      );
      report.figure('fuzz.reconnects_signed', reconnects(signed));
      const s = procStats(signed.daemon.pid);
      report.figure('fuzz.signed_rss_after_flood_kb', s?.rssKb ?? -1);
    }
    if (performance.now() > context.deadline) report.figure('fuzz.stopped_at_time_bound', 'yes');
    reportTally(context, tally, false);
  } finally {
    await rig.destroy();
  }
}
