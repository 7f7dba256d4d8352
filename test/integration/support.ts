// Shared pieces of the integration tests: the standard policy, the traffic matrix and
// assertions that report every mismatch at once.
import * as assert from 'uvu/assert';
import {
  IP_FAMILIES,
  PLAN,
  SMTP_PORT,
  SUBMISSION_PORTS,
  targetText,
  type BackendSetting,
  type ExecResult,
  type IpFamily,
  type PolicyConfig,
  type ProbeResult,
  type ProbeSpec,
  type Testbed,
} from '../testbed/index.ts';

/**
 * REJECT answers the first SYN; Linux resends an unanswered SYN after 1 s, so a refusal slower
 * than this came later than the first SYN (dropped, then refused). Well above what a reject
 * takes (a few ms; 370 ms seen on a 2-core machine at load 10), below the resend.
 */
export const REJECT_MAX_MS = 900;

/** The policy under test: block port 25 leaving `wan`, relays allowed, for one backend. */
export function standardPolicy(
  setting: BackendSetting,
  overrides: PolicyConfig = {},
): PolicyConfig {
  return {
    enabled: true,
    action: 'drop',
    ports: [SMTP_PORT],
    allow: [PLAN.wan.relay.ipv4, PLAN.wan.relay.ipv6],
    wanDevices: ['wan'],
    backend: setting.backend,
    ...(setting.iptablesVariant ? { iptablesVariant: setting.iptablesVariant } : {}),
    ...overrides,
  };
}

export interface Expectation extends ProbeSpec {
  readonly label: string;
  readonly expect: ProbeResult;
  /** Upper bound on the time to the outcome. */
  readonly maxMs?: number;
}

/** Port-25 traffic the block must stop: from both LANs and from the router itself. */
export function blockedRows(expect: ProbeResult, families = IP_FAMILIES): Expectation[] {
  const maxMs = expect === 'refused' ? REJECT_MAX_MS : undefined;
  return families.flatMap((family) =>
    (['lan1', 'lan2', 'router'] as const).map((from) => ({
      label: `${from} -> foreign:25 (${family})`,
      from,
      host: PLAN.wan.foreign[family],
      port: SMTP_PORT,
      expect,
      ...(maxMs ? { maxMs } : {}),
    })),
  );
}

/** Traffic the block must leave alone: relays, submission ports, LAN to LAN. */
export function allowedRows(families = IP_FAMILIES): Expectation[] {
  return families.flatMap((family: IpFamily): Expectation[] => [
    {
      label: `lan1 -> relay:25 (${family})`,
      from: 'lan1',
      host: PLAN.wan.relay[family],
      port: SMTP_PORT,
      expect: 'connected',
    },
    {
      label: `router -> relay:25 (${family})`,
      from: 'router',
      host: PLAN.wan.relay[family],
      port: SMTP_PORT,
      expect: 'connected',
    },
    ...SUBMISSION_PORTS.map((port) => ({
      label: `lan1 -> foreign:${port} (${family})`,
      from: 'lan1' as const,
      host: PLAN.wan.foreign[family],
      port,
      expect: 'connected' as const,
    })),
    {
      label: `router -> foreign:587 (${family})`,
      from: 'router',
      host: PLAN.wan.foreign[family],
      port: 587,
      expect: 'connected',
    },
    {
      label: `lan1 -> lan2 host:25 (${family})`,
      from: 'lan1',
      host: PLAN.lan2.host[family],
      port: SMTP_PORT,
      expect: 'connected',
    },
  ]);
}

/** Probes every row in parallel and fails listing every row whose outcome differs. */
export async function expectTraffic(bed: Testbed, rows: readonly Expectation[]): Promise<void> {
  const outcomes = await bed.probeAll(rows);
  const problems: string[] = [];
  rows.forEach((row, i) => {
    const o = outcomes[i]!;
    const seen = `${o.result}${o.code ? ` ${o.code}` : ''} after ${o.ms} ms`;
    if (o.result !== row.expect)
      problems.push(`${row.label} ${targetText(row)}: expected ${row.expect}, got ${seen}`);
    else if (row.maxMs !== undefined && o.ms > row.maxMs)
      problems.push(`${row.label}: ${row.expect} took ${o.ms} ms (limit ${row.maxMs} ms)`);
    else if (row.expect === 'connected' && o.banner !== '220 ready')
      problems.push(`${row.label}: connected but the banner was ${JSON.stringify(o.banner)}`);
  });
  assert.ok(
    problems.length === 0,
    `traffic differs from the expectation:\n  ${problems.join('\n  ')}`,
  );
}

/** Fails with the agent's output unless it exited with `code`. */
export function expectExit(result: ExecResult, code: number, what: string): void {
  assert.ok(
    result.code === code,
    `${what}: expected exit ${code}, got ${result.code}${result.timedOut ? ' (timed out)' : ''}\n` +
      `stdout: ${result.stdout.trim()}\nstderr: ${result.stderr.trim()}`,
  );
}

/** Holds the test bed of a suite, or the error that prevented building it. */
export interface BedHolder {
  get(): Testbed;
}

/**
 * uvu swallows errors thrown in `before` hooks (the suite would then report no failure), so the
 * hook keeps the error and every test that asks for the bed throws it.
 */
export function bedHolder(): BedHolder & {
  set(bed: Testbed): void;
  fail(error: unknown): void;
  take(): Testbed | null;
} {
  let bed: Testbed | null = null;
  let error: unknown = null;
  return {
    get() {
      if (bed) return bed;
      throw error instanceof Error ? error : new Error(`test bed not built: ${String(error)}`);
    },
    set(value) {
      bed = value;
    },
    fail(value) {
      error = value;
    },
    take() {
      const value = bed;
      bed = null;
      error = new Error('test bed already destroyed');
      return value;
    },
  };
}
