// Running the built agent (dist/qjs dist/op25b-agent.js) inside the router namespace, with a
// UCI config written by the test.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, type ExecResult } from './exec.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Overridable so that a benchmark can compare builds, or a check can run the suite against a
// deliberately broken bundle to see it fail.
export const QJS = process.env.OP25B_QJS ?? join(REPO_ROOT, 'dist', 'qjs');
export const AGENT_BUNDLE =
  process.env.OP25B_AGENT_BUNDLE ?? join(REPO_ROOT, 'dist', 'op25b-agent.js');

/** The CLI's exit codes. */
export const EXIT = { ok: 0, failure: 1, badInput: 2, drift: 3 } as const;

/** The backend settings of one test run: what `option backend` / `iptables_variant` say. */
export interface BackendSetting {
  /** A label for test names: nftables, iptables-nft, iptables-legacy. */
  readonly label: string;
  readonly backend: 'nftables' | 'iptables';
  readonly iptablesVariant?: 'legacy' | 'nft';
}

export const BACKENDS: Record<'nftables' | 'iptablesNft' | 'iptablesLegacy', BackendSetting> = {
  nftables: { label: 'nftables', backend: 'nftables' },
  iptablesNft: { label: 'iptables-nft', backend: 'iptables', iptablesVariant: 'nft' },
  iptablesLegacy: { label: 'iptables-legacy', backend: 'iptables', iptablesVariant: 'legacy' },
};

/** The `config policy` section's fields; strings are written as given (bad values too). */
export interface PolicyConfig {
  readonly enabled?: boolean | string;
  readonly action?: string;
  readonly ports?: readonly (number | string)[];
  readonly allow?: readonly string[];
  readonly wanDevices?: readonly string[];
  readonly families?: readonly string[];
  readonly backend?: string;
  readonly iptablesVariant?: string;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The UCI text of a config file with one `config policy 'policy'` section. */
export function uciConfig(config: PolicyConfig): string {
  const lines = ["config policy 'policy'"];
  const option = (key: string, value: string | undefined): void => {
    if (value !== undefined) lines.push(`\toption ${key} ${quote(value)}`);
  };
  const list = (key: string, values: readonly (string | number)[] | undefined): void => {
    for (const value of values ?? []) lines.push(`\tlist ${key} ${quote(String(value))}`);
  };
  option(
    'enabled',
    typeof config.enabled === 'boolean' ? (config.enabled ? '1' : '0') : config.enabled,
  );
  option('action', config.action);
  list('port', config.ports);
  list('allow', config.allow);
  list('wan_device', config.wanDevices);
  list('family', config.families);
  option('backend', config.backend);
  option('iptables_variant', config.iptablesVariant);
  return `${lines.join('\n')}\n`;
}

export function checkAgentBuilt(): void {
  for (const file of [QJS, AGENT_BUNDLE])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

export interface AgentRunner {
  /** Writes the config to a file of its own and returns its path. */
  writeConfig(config: PolicyConfig | string): string;
  /** Runs `qjs op25b-agent.js <args...>` in the router namespace. */
  run(args: readonly string[]): Promise<ExecResult>;
  /** Runs `<command> --config <file>` with this config. */
  runWith(command: string, config: PolicyConfig | string): Promise<ExecResult>;
}

export function agentRunner(routerNs: string, configDir: string): AgentRunner {
  let written = 0;
  const writeConfig = (config: PolicyConfig | string): string => {
    const path = join(configDir, `op25b-${++written}.uci`);
    writeFileSync(path, typeof config === 'string' ? config : uciConfig(config));
    return path;
  };
  const run = (args: readonly string[]) =>
    exec(routerNs, [QJS, AGENT_BUNDLE, ...args], { timeoutMs: 20_000 });
  return {
    writeConfig,
    run,
    runWith: (command, config) => run([command, '--config', writeConfig(config)]),
  };
}
