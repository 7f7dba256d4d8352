// `npm run demo`: the agent at work on a router made of network namespaces (needs root).
// It builds a LAN/router/WAN test bed, shows which mail connections get through before and after
// `apply`, reads the kernel's counters with `status`, breaks the rules behind the agent's back to
// show `verify` and the repair, and removes everything again.
import {
  BACKENDS,
  checkAgentBuilt,
  createTestbed,
  PLAN,
  type ProbeSpec,
  type Testbed,
} from '../test/testbed/index.ts';

const out = (text = ''): void => void process.stdout.write(`${text}\n`);

const PROBES: (ProbeSpec & { label: string })[] = [
  {
    label: 'LAN host  -> foreign mail server :25 ',
    from: 'lan1',
    host: PLAN.wan.foreign.ipv4,
    port: 25,
  },
  {
    label: 'LAN host  -> foreign mail server :25 ',
    from: 'lan1',
    host: PLAN.wan.foreign.ipv6,
    port: 25,
  },
  {
    label: 'router    -> foreign mail server :25 ',
    from: 'router',
    host: PLAN.wan.foreign.ipv4,
    port: 25,
  },
  {
    label: 'LAN host  -> ISP relay :25           ',
    from: 'lan1',
    host: PLAN.wan.relay.ipv4,
    port: 25,
  },
  {
    label: 'LAN host  -> foreign server :587     ',
    from: 'lan1',
    host: PLAN.wan.foreign.ipv4,
    port: 587,
  },
  {
    label: 'LAN host  -> foreign server :465     ',
    from: 'lan1',
    host: PLAN.wan.foreign.ipv6,
    port: 465,
  },
  {
    label: 'LAN host  -> other LAN segment :25   ',
    from: 'lan1',
    host: PLAN.lan2.host.ipv4,
    port: 25,
  },
];

async function showProbes(bed: Testbed): Promise<void> {
  const outcomes = await bed.probeAll(PROBES);
  PROBES.forEach((p, i) => {
    const o = outcomes[i]!;
    out(`  ${p.label} ${p.host.padEnd(16)} ${o.result.padEnd(9)} ${Math.round(o.ms)} ms`);
  });
}

async function agent(bed: Testbed, args: string[]): Promise<void> {
  const r = await bed.agent.run(args);
  out(
    `$ qjs op25b-agent.js ${args.join(' ').replace(/--config \S+/, '--config op25b')}   # exit ${r.code}`,
  );
  for (const line of `${r.stdout}${r.stderr}`.trimEnd().split('\n')) if (line) out(`  ${line}`);
}

async function main(): Promise<void> {
  checkAgentBuilt();
  const bed = await createTestbed();
  try {
    await bed.installBaseline(BACKENDS.nftables);
    out('A router (network namespace) with an accept-all fw4 stand-in, two LAN segments and a WAN');
    out(
      `with the ISP relay ${PLAN.wan.relay.ipv4} / ${PLAN.wan.relay.ipv6} and a foreign mail server.`,
    );
    out();
    out('Before the agent:');
    await showProbes(bed);
    const config = bed.agent.writeConfig({
      action: 'reject',
      allow: [PLAN.wan.relay.ipv4, PLAN.wan.relay.ipv6],
      wanDevices: ['wan'],
      backend: 'nftables',
    });
    out();
    await agent(bed, ['apply', '--config', config]);
    out();
    out('With the block:');
    await showProbes(bed);
    out();
    await agent(bed, ['status', '--config', config]);
    out();
    out("Someone deletes the table behind the agent's back (as `fw4 flush` would):");
    await bed.execOk('router', ['nft', 'delete', 'table', 'inet', 'op25b']);
    await agent(bed, ['verify', '--config', config]);
    await agent(bed, ['apply', '--config', config]);
    await agent(bed, ['verify', '--config', config]);
    out();
    await agent(bed, ['remove']);
  } finally {
    await bed.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
