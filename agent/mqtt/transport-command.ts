// The program that carries MQTT's bytes: QuickJS has no sockets, so the agent runs one and talks
// MQTT over its stdin/stdout (child-transport.ts). Pure: argv in, argv out.
//
// Plain TCP: `socat - TCP:host:port,nodelay` (OpenWrt package `socat`, ~110 KB). socat exits
// when either side ends, reports connection errors on stderr with a non-zero exit code, and
// passes bytes through untouched. On EOF from us it half-closes the socket and waits (0.5 s) for
// the broker to close its side, so a DISCONNECT written just before is delivered.
// BusyBox `nc` is not used: whether it exists, and how it treats EOF, depend on the image's
// BusyBox configuration.
//
// TLS: `openssl s_client` (OpenWrt package `openssl-util`, with libopenssl). OpenWrt builds its
// socat WITHOUT OpenSSL (Makefile option SOCAT_SSL, default n), so `socat OPENSSL:` is not an
// option there, and OpenWrt has no other TLS client that takes a byte stream on stdin. The flags:
//   -quiet                 no session dump on stdout (stdout must be the broker's bytes only);
//                          also -ign_eof, which turns off s_client's line commands (a line
//                          starting with Q, R or k would otherwise quit or renegotiate)
//   -verify 8 -verify_return_error
//                          SSL_VERIFY_PEER and abort the handshake on any verification error.
//                          -verify_return_error alone does not set SSL_VERIFY_PEER in some
//                          OpenSSL versions, where a bad certificate is then only reported.
//   -verify_hostname NAME / -verify_ip ADDR
//                          the certificate must name the host in the broker URL (SAN)
//   -CAfile FILE           the only trust anchors: with -CAfile given, s_client loads no default
//                          store, so a certificate from any other CA is rejected
//   -servername NAME       SNI for a DNS name; -noservername for an IP literal (no SNI)
//   -cert FILE -key FILE   the client certificate, when the broker asks for one
// The connection is in s_client's hands until it exits: when the broker closes it, s_client
// exits; on end() we close its stdin and, since -ign_eof keeps it waiting for the broker, kill
// it after a grace period (child-transport.ts).
import { hostPort, type BrokerUrl } from './broker-url.ts';

export interface TlsFiles {
  /** PEM file with the CA certificate(s) the broker's certificate must chain to. */
  readonly caFile: string;
  /** PEM client certificate and its unencrypted key, for brokers that require one. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /**
   * OpenSSL 3.0 or later: add `-no_ign_eof -nocommands`, so that s_client closes the connection
   * when its stdin ends (the agent exited, even by SIGKILL) and the broker publishes the Will at
   * once instead of at its keepalive timeout. 1.1.1 lacks -nocommands; there -quiet stays alone.
   */
  readonly closeOnStdinEnd?: boolean;
}

const VERIFY_DEPTH = '8';

function checkPath(what: string, path: string | undefined): void {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0'))
    throw new Error(`${what}: expected a file path`);
}

/** The argv that connects to the broker (PATH lookup, no shell). */
export function transportArgv(broker: BrokerUrl, tls?: TlsFiles): string[] {
  if (!broker.tls) return ['socat', '-', `TCP:${hostPort(broker)},nodelay`];
  if (!tls) throw new Error('mqtts:// needs a CA file to verify the broker (tls.caFile)');
  checkPath('tls.caFile', tls.caFile);
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined))
    throw new Error('tls.certFile and tls.keyFile go together');
  const argv = ['openssl', 's_client', '-quiet', '-verify', VERIFY_DEPTH, '-verify_return_error'];
  if (tls.closeOnStdinEnd) argv.push('-no_ign_eof', '-nocommands');
  if (broker.hostKind === 'dns')
    argv.push('-verify_hostname', broker.host, '-servername', broker.host);
  else argv.push('-verify_ip', broker.host, '-noservername');
  argv.push('-CAfile', tls.caFile);
  if (tls.certFile !== undefined && tls.keyFile !== undefined) {
    checkPath('tls.certFile', tls.certFile);
    checkPath('tls.keyFile', tls.keyFile);
    argv.push('-cert', tls.certFile, '-key', tls.keyFile);
  }
  argv.push('-connect', hostPort(broker));
  return argv;
}

/** Error codes for a transport program that failed; Node's names where there is one. */
export type TransportErrorCode =
  | 'ENOENT' // the program is not installed
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'ENOTFOUND' // name resolution failed
  | 'ECONNRESET'
  | 'ETLSVERIFY' // the broker's certificate was rejected
  | 'ETLS' // another TLS failure (handshake, protocol, client certificate, key file)
  | 'ETRANSPORT'; // anything else

const PATTERNS: readonly [TransportErrorCode, RegExp][] = [
  ['ECONNREFUSED', /connection refused/i],
  ['ETIMEDOUT', /timed out/i],
  ['EHOSTUNREACH', /no route to host|host is unreachable/i],
  ['ENETUNREACH', /network is unreachable|network unreachable/i],
  [
    'ENOTFOUND',
    /name or service not known|name does not resolve|temporary failure in name resolution|no address associated|nodename nor servname|BIO_lookup/i,
  ],
  ['ECONNRESET', /connection reset/i],
  [
    'ETLSVERIFY',
    /verify error|certificate verify failed|unable to get local issuer|self[- ]signed certificate|hostname mismatch|ip address mismatch|certificate has expired|certificate is not yet valid/i,
  ],
  ['ETLS', /ssl routines|tls|handshake|alert|certificate|private key|PEM routines/i],
];

/** Strips socat's log prefix ("2024/01/01 12:00:00 socat[123] E ") and OpenSSL's error-queue
 * prefix ("40B785E0C07F0000:error:0A00045C:"). */
function tidy(line: string): string {
  const text = line
    .replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d socat\[\d+\] [A-Z] /, '')
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** Why a transport program ended, from its exit code and the end of its stderr. */
export function describeTransportFailure(
  program: string,
  exitCode: number,
  stderr: string,
): { code: TransportErrorCode; message: string } {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (exitCode === 127 && !lines.some((line) => !/not found|no such file|ENOENT/i.test(line)))
    return { code: 'ENOENT', message: `${program} is not installed (exit code 127)` };
  for (const [code, pattern] of PATTERNS) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined)
      return { code, message: `${program} exited with code ${exitCode}: ${tidy(line)}` };
  }
  const last = lines[lines.length - 1];
  return {
    code: 'ETRANSPORT',
    message: `${program} exited with code ${exitCode}${last === undefined ? '' : `: ${tidy(last)}`}`,
  };
}
