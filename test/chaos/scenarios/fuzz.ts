// Payload fuzz: thousands of desired/cmd payloads, unsigned to a router without a key and signed
// to a router with one. Every message must be answered with a documented code (the expected one
// where the mutation says), the daemon must not crash, and the kernel must not change: the
// routers enforce a desired state of the newest possible version, so nothing sent can apply.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS } from '../../testbed/index.ts';
import { createRig } from '../../integration-mqtt/create-rig.ts';
import { request } from '../../integration-mqtt/messages.ts';
import { OTHER_ROUTER, ROUTER, topics } from '../../integration-mqtt/topics.ts';
import { sleep } from '../../integration-mqtt/waits.ts';
import { flood, generate, reconnects, type MarkerMaker } from '../fuzz-flood.ts';
import { retainedOversize } from '../fuzz-oversize.ts';
import { reportTally } from '../fuzz-report.ts';
import { newTally } from '../fuzz-tally.ts';
import { baseDesired } from '../fuzz-case.ts';
import { hostileCases } from '../hostile-payloads.ts';
import { procStats, resetPeakRss } from '../proc-stats.ts';
import { seededRandom } from '../random.ts';
import type { ScenarioContext } from '../scenario.ts';
import { jws, makeSigningKeys, signedGenerator } from '../signed-payloads.ts';
import { unsignedGenerator } from '../unsigned-payloads.ts';

export type { MarkerMaker } from '../fuzz-flood.ts';

/** "Back near idle" after a flood: what the daemon may keep for good. */
const RSS_SLACK_KB = 2048;

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
