// Parsers for single config values. Each takes a JSON value or an env string and the place it
// came from (for the error message), and returns a typed value or throws ConfigError.
import { ConfigError } from './config-error.ts';
import type { ListenAddress } from './portal-config.ts';

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

export function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(`${where}: must be a non-empty string, got ${show(value)}`);
  if (/[\0-\x1f\x7f]/.test(value)) throw new ConfigError(`${where}: holds control characters`);
  return value;
}

export function parseInteger(value: unknown, where: string, min: number, max: number): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ConfigError(`${where}: must be an integer from ${min} to ${max}, got ${show(value)}`);
  return n;
}

export function parseMqttUrl(value: unknown, where: string): string {
  const s = text(value, where);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new ConfigError(`${where}: ${show(s)} is not a URL`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol))
    throw new ConfigError(`${where}: ${show(s)} must use mqtt, mqtts, ws or wss`);
  if (url.hostname === '') throw new ConfigError(`${where}: ${show(s)} has no host`);
  return s;
}

export function parseTopicPrefix(value: unknown, where: string): string {
  const s = text(value, where);
  if (
    /[+#]/.test(s) ||
    s.startsWith('/') ||
    s.endsWith('/') ||
    s.includes('//') ||
    s.startsWith('$')
  )
    throw new ConfigError(
      `${where}: ${show(s)} must be topic levels without wildcards, empty levels or a leading $`,
    );
  return s;
}

/** `host:port` or `[v6]:port`. */
export function parseListen(value: unknown, where: string): ListenAddress {
  const s = text(value, where);
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535)
    throw new ConfigError(`${where}: ${show(s)} must be host:port or [ipv6]:port (port 0..65535)`);
  return { host: (match[1] ?? match[2])!, port };
}
