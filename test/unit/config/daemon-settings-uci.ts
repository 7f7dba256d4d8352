// The daemon-settings tests' inputs: an agent or mqtt section written as uci export writes it,
// read by the settings parsers, and a check that a read is refused with a code naming a value.
import * as assert from 'uvu/assert';
import {
  agentSettingsFromUci,
  mqttSettingsFromUci,
} from '../../../agent/config/daemon-settings.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { inputError } from '../helpers.ts';

const uci = (type: 'agent' | 'mqtt', options: Record<string, string>) =>
  parseUci(
    [
      `config ${type} '${type}'`,
      // Quotes written the way uci export writes them.
      ...Object.entries(options).map(([k, v]) => `\toption ${k} '${v.replace(/'/g, "'\\''")}'`),
    ].join('\n'),
  );
export const agent = (options: Record<string, string> = {}) =>
  agentSettingsFromUci(uci('agent', options));
export const mqtt = (options: Record<string, string>) => mqttSettingsFromUci(uci('mqtt', options));
export const BROKER = { broker: 'mqtt://broker.isp.example' };

export function refuses(fn: () => unknown, code: string, value?: string): void {
  const error = inputError(fn);
  assert.is(error.code, code);
  if (value !== undefined) assert.match(error.message, JSON.stringify(value));
}
