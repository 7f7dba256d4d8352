// The agent's files for one OpenWrt test: a temporary directory with its state and run
// directories, and the UCI configs written into it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uciConfig, type PolicyConfig } from '../testbed/agent.ts';

export interface AgentFiles {
  readonly dir: string;
  readonly stateDir: string;
  readonly runDir: string;
  /**
   * Writes a config (policy section with extra raw lines, agent section) and returns its path;
   * to `path` when given (a config the daemon re-reads on SIGHUP).
   */
  config(
    policy: PolicyConfig,
    agent?: Record<string, string>,
    extraPolicy?: string[],
    path?: string,
  ): string;
  remove(): void;
}

let written = 0;

export function agentFiles(): AgentFiles {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-openwrt-'));
  const stateDir = join(dir, 'state');
  const runDir = join(dir, 'run');
  return {
    dir,
    stateDir,
    runDir,
    config(policy, agent = {}, extraPolicy = [], path = join(dir, `op25b-${++written}.uci`)) {
      const options = { device_id: 'cpe-openwrt', state_dir: stateDir, run_dir: runDir, ...agent };
      const text =
        uciConfig(policy).trimEnd() +
        '\n' +
        extraPolicy.map((line) => `\t${line}\n`).join('') +
        "\nconfig agent 'agent'\n" +
        Object.entries(options)
          .filter(([, v]) => v !== '') // '' leaves the option out (device_id, say)
          .map(([k, v]) => `\toption ${k} '${v}'\n`)
          .join('');
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
