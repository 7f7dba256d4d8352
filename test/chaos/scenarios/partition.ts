// A network partition between the router and the broker (packets dropped inside the WAN
// namespace, both ways, so neither side sees a reset) for minutes: enforcement must not change,
// and after the link heals the router must be back within the backoff cap (plus one connect
// timeout, for an attempt already waiting on its SYN when the link came back).
import { BACKENDS, BROKER_ADDRESS, PLAN } from '../../testbed/index.ts';
import {
  createRig,
  expectBlock,
  nextPresence,
  parse,
  request,
  ROUTER,
  sleep,
  T,
  type Reply,
} from '../../integration-mqtt/rig.ts';
import { agentPart } from '../kernel.ts';
import type { ScenarioContext } from '../scenario.ts';

const RECONNECT_CAP_S = 8;
/** The agent's MQTT connect timeout (agent/mqtt/create-client.ts default). */
const CONNECT_TIMEOUT_S = 15;

function partitionRules(): string {
  const r4 = PLAN.wan.router.ipv4;
  const r6 = PLAN.wan.router.ipv6;
  return [
    'table inet chaos_partition {',
    '  chain in {',
    '    type filter hook input priority -300; policy accept;',
    `    ip saddr ${r4} ip daddr ${BROKER_ADDRESS.ipv4} drop`,
    `    ip6 saddr ${r6} ip6 daddr ${BROKER_ADDRESS.ipv6} drop`,
    '  }',
    '  chain out {',
    '    type filter hook output priority -300; policy accept;',
    `    ip daddr ${r4} ip saddr ${BROKER_ADDRESS.ipv4} drop`,
    `    ip6 daddr ${r6} ip6 saddr ${BROKER_ADDRESS.ipv6} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function partitionScenario(context: ScenarioContext): Promise<void> {
  const { report, options } = context;
  const backend = BACKENDS.nftables;
  const rig = await createRig({ backend });
  try {
    const agent = await rig.startAgent(
      rig.config(ROUTER, { mqtt: { reconnect_min: 1, reconnect_max: RECONNECT_CAP_S } }),
    );
    const first = await request(
      rig,
      T.desired,
      JSON.stringify({ version: 1, enabled: true, action: 'reject' }),
      { retain: true },
    );
    if (!first.ok) throw new Error(`desired 1 refused: ${JSON.stringify(first)}`);
    const reference = await agentPart(rig.bed, backend);
    await rig.bed.execOk('wan', ['nft', '-f', '-'], { stdin: partitionRules() });
    const partitionMs = Math.min(
      options.partitionMinutes * 60_000,
      context.deadline - performance.now() - 60_000,
    );
    const cut = performance.now();
    const logFrom = agent.daemon.log().length;
    let unchanged = true;
    while (performance.now() - cut < partitionMs) {
      await sleep(Math.min(15_000, partitionMs - (performance.now() - cut)));
      if ((await agentPart(rig.bed, backend)) !== reference) unchanged = false;
    }
    let blockHolds = true;
    await expectBlock(rig, true).catch(() => (blockHolds = false));
    const during = agent.daemon.log().slice(logFrom);
    const from = rig.isp.messages.length;
    const healLog = agent.daemon.log().length;
    await rig.bed.execOk('wan', ['nft', 'delete', 'table', 'inet', 'chaos_partition']);
    const healed = performance.now();
    const back = await agent.daemon
      .waitLog(/MQTT: connected to /, (RECONNECT_CAP_S + CONNECT_TIMEOUT_S + 30) * 1000, healLog)
      .then(
        () => performance.now() - healed,
        () => null,
      );
    await nextPresence(rig, from, (p) => p.online, 10_000).catch(() => null);
    const replyFrom = rig.isp.messages.length;
    await rig.isp.publish(
      T.desired,
      JSON.stringify({ version: 2, enabled: true, action: 'drop' }),
      { retain: true },
    );
    // The retained version 1 comes again on the reconnect: wait for the reply to version 2.
    const after = await rig.isp
      .waitMessage((m) => m.topic === T.reply && parse<Reply>(m).version === 2, 10_000, replyFrom)
      .then(
        (m) => parse<Reply>(m),
        () => null,
      );
    const delays = [...during.matchAll(/reconnecting in (\d+) ms/g)].map((m) => Number(m[1]));
    report.figure('partition.seconds_cut', ((healed - cut) / 1000).toFixed(0));
    report.figure('partition.noticed', /connection lost/.test(during) ? 'yes' : 'no');
    report.figure('partition.attempts_during', delays.length);
    report.figure('partition.max_delay_ms', delays.length ? Math.max(...delays) : 0);
    report.figure('partition.reconnect_after_heal_ms', back === null ? 'never' : back.toFixed(0));
    report.check('partition.enforcement_unchanged', unchanged && blockHolds);
    report.check(
      'partition.delays_within_cap',
      delays.every((d) => d <= RECONNECT_CAP_S * 1000),
    );
    report.check(
      'partition.reconnects_after_heal',
      back !== null && back <= (RECONNECT_CAP_S + CONNECT_TIMEOUT_S) * 1000,
      `${back === null ? 'never' : Math.round(back)} ms, bound ${(RECONNECT_CAP_S + CONNECT_TIMEOUT_S) * 1000} ms`,
    );
    report.check('partition.control_after_heal', after?.ok === true, JSON.stringify(after));
  } finally {
    await rig.destroy();
  }
}
