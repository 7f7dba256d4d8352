// `npm run demo`: the agent at work on a router made of network namespaces (needs root).
// Part 1, the command line: a LAN/router/WAN test bed, which mail connections get through before
// and after `apply`, the kernel's counters with `status`, rules broken behind the agent's back,
// `verify` and the repair, `remove`. Part 2, the daemon: an MQTT broker on the WAN side (TLS,
// per-router credentials and ACL), `run` on the router with the ISP's public key, and the ISP
// switching the block off and on with signed desired states (EdDSA JWS), each answered on the
// reply topic and checked with real connections; an unsigned one is refused.
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRig, request, ROUTER, T, type Rig } from '../test/integration-mqtt/rig.ts';
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

async function probeForeign(rig: Rig): Promise<string> {
  const [o] = await rig.bed.probeAll([{ from: 'lan1', host: PLAN.wan.foreign.ipv4, port: 25 }]);
  return `LAN host -> foreign mail server :25: ${o!.result}`;
}

async function daemonPart(): Promise<void> {
  out();
  out('== The daemon, driven by the ISP over MQTT ==');
  const rig = await createRig({ backend: BACKENDS.nftables });
  try {
    // The ISP's signing key stays with the ISP; the router gets the public key only.
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const keyFile = join(rig.dir, 'isp-public.pem');
    writeFileSync(keyFile, await exportSPKI(publicKey));
    const signed = (claims: Record<string, unknown>): Promise<string> =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA' })
        .setSubject(ROUTER)
        .setExpirationTime('1h')
        .sign(privateKey);
    const agent = await rig.startAgent(rig.config(ROUTER, { agent: { verify_key_file: keyFile } }));
    out(`router "${agent.id}" runs \`qjs op25b-agent.js run\`, connected to the broker over TLS`);
    out(`  with the ISP's Ed25519 public key: only signed desired states and commands count`);
    out(`  ${await probeForeign(rig)}   (the config's policy: block on)`);
    for (const [version, enabled] of [
      [1, false],
      [2, true],
    ] as const) {
      const claims = { version, enabled, action: 'reject' };
      const reply = await request(rig, T.desired, await signed(claims), { retain: true });
      out(`ISP -> ${T.desired}: JWS (EdDSA) of ${JSON.stringify(claims)}`);
      out(`router -> ${T.reply}: ${JSON.stringify(reply)}`);
      out(`  ${await probeForeign(rig)}`);
    }
    const stale = await request(rig, T.desired, await signed({ version: 1, enabled: false }));
    out(`ISP sends an older version: ${JSON.stringify(stale)}`);
    const unsigned = await request(rig, T.desired, JSON.stringify({ version: 3, enabled: false }));
    out(`someone publishes unsigned JSON: ${JSON.stringify(unsigned)}`);
    out(`  ${await probeForeign(rig)}`);
  } finally {
    await rig.destroy();
  }
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
  await daemonPart();
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
