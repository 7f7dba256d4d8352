// SIGKILLs at random points while a desired state is received, stored and applied: right after
// each kill the kernel must hold the whole old or the whole new policy, and desired.json (if it
// exists) must parse and hold the old or the new version. Then the daemon is started again and
// must converge on the new state.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS } from '../../testbed/index.ts';
import { createRig, request, ROUTER, T, type Agent } from '../../integration-mqtt/rig.ts';
import { agentPart, waitForPart } from '../kernel.ts';
import { desiredOf, POLICIES } from '../policies.ts';
import type { ScenarioContext } from '../scenario.ts';

// Skewed to short delays: the store and the apply take a few tens of ms after the message lands.
const MAX_DELAY_MS = 150;
const CONVERGE_TIMEOUT_MS = 15_000;

type FileState = 'missing' | 'corrupt' | 'old' | 'new' | 'other';

function fileState(stateDir: string, oldVersion: number, newVersion: number): FileState {
  const path = join(stateDir, 'desired.json');
  if (!existsSync(path)) return 'missing';
  try {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
    if (stored.version === oldVersion) return 'old';
    if (stored.version === newVersion) return 'new';
    return 'other';
  } catch {
    return 'corrupt';
  }
}

export async function killScenario(context: ScenarioContext): Promise<void> {
  const { report, count } = context;
  const backend = BACKENDS.nftables;
  const rig = await createRig({ backend });
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  let kills = 0;
  let leftovers = 0;
  try {
    const home = join(rig.dir, 'kill-home');
    const config = rig.config(ROUTER, { home });
    const stateDir = String(config.agent.state_dir);
    let agent: Agent = await rig.startAgent(config);
    // The kernel's text for each policy, from applying each once.
    const reference = new Map<number, string>();
    for (let v = 1; v <= POLICIES.length; v++) {
      const reply = await request(rig, T.desired, JSON.stringify(desiredOf(v)), { retain: true });
      if (!reply.ok) throw new Error(`desired ${v} refused: ${JSON.stringify(reply)}`);
      reference.set(v % POLICIES.length, await agentPart(rig.bed, backend));
    }
    let version: number = POLICIES.length;
    for (let i = 0; i < count && performance.now() < context.deadline; i++) {
      const next = version + 1;
      const published = await rig.isp.publish(T.desired, JSON.stringify(desiredOf(next)), {
        retain: true,
      });
      if (!published.ok) throw new Error(`publish: ${JSON.stringify(published)}`);
      await new Promise((r) => setTimeout(r, Math.random() ** 2 * MAX_DELAY_MS));
      await agent.daemon.kill();
      kills++;
      const part = await agentPart(rig.bed, backend);
      const kernel =
        part === reference.get(version % POLICIES.length)
          ? 'old'
          : part === reference.get(next % POLICIES.length)
            ? 'new'
            : 'torn';
      const file = fileState(stateDir, version, next);
      const outcome = `kernel_${kernel}.file_${file}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (kernel === 'torn') problems.push(`kill ${i}: the kernel holds neither policy:\n${part}`);
      if (file === 'corrupt' || file === 'other' || file === 'missing')
        problems.push(`kill ${i}: desired.json is ${file}`);
      agent = await rig.startAgent(config);
      leftovers += readdirSync(stateDir).filter((name) => name.includes('.tmp')).length;
      const converged = await waitForPart(
        rig.bed,
        backend,
        reference.get(next % POLICIES.length)!,
        CONVERGE_TIMEOUT_MS,
      );
      if (converged === null)
        problems.push(`kill ${i}: the daemon did not converge on version ${next}`);
      version = next;
      if (i % 20 === 19) context.progress(`kill: ${kills} kills`);
    }
  } finally {
    await rig.destroy();
  }
  report.figure('kill.kills', kills);
  for (const [outcome, n] of [...outcomes].sort()) report.figure(`kill.outcome.${outcome}`, n);
  report.figure('kill.tmp_files_after_restart', leftovers);
  for (const p of problems.slice(0, 5)) report.figure('kill.problem', p.split('\n')[0]!);
  const torn = problems.filter((p) => /neither policy/.test(p)).length;
  const badFile = problems.filter((p) => /desired\.json is/.test(p)).length;
  report.check(
    'kill.old_or_new_policy',
    torn === 0,
    `${torn} of ${kills} kills left a torn ruleset`,
  );
  report.check(
    'kill.state_file_parses',
    badFile === 0,
    `${badFile} of ${kills} kills left desired.json unreadable or other`,
  );
  report.check('kill.converges_after_restart', !problems.some((p) => /converge/.test(p)));
  report.check(
    'kill.no_tmp_files_after_restart',
    leftovers === 0,
    `${leftovers} temporary files seen after restarts`,
  );
  report.check('kill.completed_count', kills === count, `${kills} of ${count}`);
}
