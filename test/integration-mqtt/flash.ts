// What the router's flash holds: the desired state the agent stored.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from './create-rig.ts';

/** The stored desired state (text), or null when the file does not exist. */
export function desiredFile(agent: Agent): string | null {
  const path = join(agent.stateDir, 'desired.json');
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Text and modification time of the stored desired state, to prove it was not rewritten. */
export function desiredFileStamp(agent: Agent): string {
  const path = join(agent.stateDir, 'desired.json');
  if (!existsSync(path)) return 'missing';
  return `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`;
}
