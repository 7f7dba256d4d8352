// Real connections through the router, to prove the block is on or off in the kernel.
import { PLAN, SMTP_PORT } from '../testbed/index.ts';
import {
  allowedRows,
  blockedRows,
  expectTraffic,
  type Expectation,
} from '../integration/support.ts';
import type { Rig } from './create-rig.ts';

export const FOREIGN = PLAN.wan.foreign;
export const RELAY = PLAN.wan.relay;

/**
 * Real connections through the router: with the block on (reject), port 25 to a foreign host
 * is refused from both LANs and the router itself, in both families; relays, submission ports
 * and LAN-to-LAN traffic pass. With the block off everything connects.
 */
export async function expectBlock(rig: Rig, on: boolean, ports: readonly number[] = [SMTP_PORT]) {
  const extra = ports.filter((p) => p !== SMTP_PORT);
  const allowed = allowedRows().filter(
    (row) => !(on && extra.includes(row.port) && row.host.endsWith('99')),
  );
  const blockedExtra: Expectation[] = on
    ? extra.flatMap((port) =>
        (['lan1', 'router'] as const).map((from) => ({
          label: `${from} -> foreign:${port} (ipv4)`,
          from,
          host: FOREIGN.ipv4,
          port,
          expect: 'refused' as const,
        })),
      )
    : [];
  await expectTraffic(rig.bed, [
    ...blockedRows(on ? 'refused' : 'connected'),
    ...allowed,
    ...blockedExtra,
  ]);
}
