// Shared inputs for the schema tests (not a test file itself: uvu only runs *.test.ts).
import { configFromUci } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import type { ClaimsContext } from '../../../agent/remote/claims.ts';

export const DEVICE = 'cpe-0001';
/** Seconds since the epoch: the claims' clock. */
export const NOW_S = Math.floor(Date.UTC(2026, 10, 28, 6, 0, 0) / 1000);
export const NOW_MS = NOW_S * 1000;
export const BOOT = '3f9c2a7b51d04e68';

export const unsigned: ClaimsContext = {
  deviceId: DEVICE,
  keys: null,
  allowUnsigned: true,
  now: NOW_S,
};

export const config = configFromUci(
  parseUci(
    [
      "config policy 'policy'",
      "\toption action 'reject'",
      "\tlist port '25'",
      "\tlist port '587'",
      "\tlist allow '203.0.113.25'",
      "\tlist allow '2001:db8::/32'",
      "\tlist wan_device 'pppoe-wan'",
    ].join('\n'),
  ),
);

/** The payload as the agent receives it: text and its byte length. */
export function payload(document: unknown): [string, number] {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  return [text, Buffer.byteLength(text)];
}
