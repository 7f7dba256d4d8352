// Reads and validates the agent's UCI config file.
import { InputError, quoteValue } from '../input-error.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { configFromUci, type AgentConfig } from './agent-config.ts';
import { parseUci } from './uci-parse.ts';

export function loadConfig(runtime: Runtime, path: string): AgentConfig {
  const text = runtime.readText(path);
  if (text === null)
    throw new InputError('config_not_found', `cannot read config file ${quoteValue(path)}`);
  return configFromUci(parseUci(text, path));
}
