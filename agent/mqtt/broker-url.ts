// The broker address from the config: `mqtt://host[:port]` (plain TCP, default port 1883) or
// `mqtts://host[:port]` (TLS, default port 8883). Strict: no user info (credentials belong in their
// own options, not in a URL that ends up in logs), no path, query or fragment, a port without
// leading zeros, a host that is a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address
// (`mqtts://[2001:db8::1]:8883`; no zone index). The host becomes an argument of socat or
// openssl, so nothing outside those shapes may pass.
import { InputError, quoteValue } from '../input-error.ts';
import { canonicalAddress } from '../policy/address.ts';

export interface BrokerUrl {
  readonly tls: boolean;
  /** Lower-case DNS name, or canonical IP address text (IPv6 without brackets). */
  readonly host: string;
  readonly hostKind: 'dns' | 'ipv4' | 'ipv6';
  readonly port: number;
}

export const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883 } as const;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses a broker URL; throws InputError (code `invalid_broker_url`) naming what is wrong. */
export function parseBrokerUrl(text: string): BrokerUrl {
  const invalid = (why: string): InputError =>
    new InputError('invalid_broker_url', `invalid broker URL ${quoteValue(text)}: ${why}`);
  if (typeof text !== 'string' || text.length === 0) throw invalid('expected mqtt://host[:port]');
  if (text.length > 300) throw invalid('too long');
  const match = /^([A-Za-z]+):\/\/([^/?#]*)(\/?)$/.exec(text);
  if (!match) {
    if (/^[A-Za-z]+:\/\/[^/?#]*[/?#]/.test(text))
      throw invalid('a path, query or fragment is not allowed');
    throw invalid('expected mqtt://host[:port] or mqtts://host[:port]');
  }
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!;
  if (scheme !== 'mqtt' && scheme !== 'mqtts')
    throw invalid(`unsupported scheme ${quoteValue(scheme)} (expected mqtt or mqtts)`);
  if (authority.includes('@')) throw invalid('user info is not allowed (use username/password)');

  let hostText: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw invalid('unterminated [IPv6 address]');
    hostText = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw invalid('unexpected text after ]');
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = authority.indexOf(':');
    if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0)
      throw invalid('an IPv6 address must be in brackets: [2001:db8::1]');
    hostText = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
  }

  let port: number = DEFAULT_PORTS[scheme];
  if (portText !== undefined) {
    if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535)
      throw invalid('the port must be a number from 1 to 65535');
    port = Number(portText);
  }

  const tls = scheme === 'mqtts';
  if (authority.startsWith('[')) {
    if (hostText.includes('%')) throw invalid('an IPv6 zone index is not supported');
    const address = hostText.includes(':') ? canonicalAddress(hostText) : null;
    if (address === null || !address.includes(':')) throw invalid('not an IPv6 address in [ ]');
    return { tls, host: address, hostKind: 'ipv6', port };
  }
  if (hostText === '') throw invalid('the host is missing');
  const host = hostText.toLowerCase();
  // All-numeric dotted names are addresses, never DNS names: "10.1.1" or "010.0.0.1" are rejected
  // rather than left to each resolver's idea of them.
  if (/^[0-9.]+$/.test(host)) {
    const address = canonicalAddress(host);
    if (address === null || address !== host) throw invalid('not a valid IPv4 address');
    return { tls, host: address, hostKind: 'ipv4', port };
  }
  const labels = host.split('.');
  if (host.length > 253 || !labels.every((label) => DNS_LABEL.test(label)))
    throw invalid('the host is not a valid DNS name or IP address');
  // A numeric or hex last label ("0x7f.1", "1.0x1") is an inet_aton() address, not a name.
  if (/^(0x[0-9a-f]*|[0-9]+)$/.test(labels[labels.length - 1]!))
    throw invalid('the host is neither a DNS name nor a dotted-quad IPv4 address');
  return { tls, host, hostKind: 'dns', port };
}

/** The URL back as text, canonical (lower case, brackets around IPv6, default port omitted). */
export function formatBrokerUrl(url: BrokerUrl): string {
  const scheme = url.tls ? 'mqtts' : 'mqtt';
  const host = url.hostKind === 'ipv6' ? `[${url.host}]` : url.host;
  return url.port === DEFAULT_PORTS[scheme]
    ? `${scheme}://${host}`
    : `${scheme}://${host}:${url.port}`;
}

/** host:port as socat and openssl s_client take it (`[2001:db8::1]:8883` for IPv6). */
export function hostPort(url: BrokerUrl): string {
  return url.hostKind === 'ipv6' ? `[${url.host}]:${url.port}` : `${url.host}:${url.port}`;
}
