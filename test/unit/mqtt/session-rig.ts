// The rig of the MQTT session tests: agent/mqtt/session.ts over a scripted byte stream and
// hand-fired timers; what it writes is parsed, and what the broker sends is generated, by
// mqtt-packet.
import * as assert from 'uvu/assert';
import {
  MqttClient,
  type MqttClientEvents,
  type MqttCloseInfo,
  type MqttLinkEvents,
} from '../../../agent/mqtt/session.ts';
import type { Timer } from '../../../agent/runtime/runtime.ts';
import { oracleEncode, oracleParse, type Packet } from './codec-oracle.ts';

export function rig(version: 4 | 5 = 4, keepalive = 10, events: MqttClientEvents = {}) {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let nextTimer = 1;
  const links: { events: MqttLinkEvents; writes: Uint8Array[]; calls: string[] }[] = [];
  const closes: MqttCloseInfo[] = [];
  const log: string[] = [];
  const client = new MqttClient(
    {
      setTimeout: (fn: () => void, ms: number): Timer => {
        timers.set(nextTimer, { fn, ms });
        return nextTimer++ as unknown as Timer;
      },
      clearTimeout: (t: Timer) => void timers.delete(t as unknown as number),
    },
    (linkEvents) => {
      const link = { events: linkEvents, writes: [] as Uint8Array[], calls: [] as string[] };
      links.push(link);
      return {
        write: (bytes) => void link.writes.push(bytes),
        end: () => void link.calls.push('end'),
        destroy: (error) => void link.calls.push(`destroy ${error?.message ?? null}`),
        stderrText: '',
      };
    },
    {
      connect: { protocolVersion: version, clientId: 'r1', keepalive, clean: true },
      connectTimeoutMs: 15_000,
      readLimitBytes: 65_536,
      brokerName: 'mqtt://broker:1883',
    },
    {
      ...events,
      onClose: (info) => {
        closes.push(info);
        log.push('close');
        events.onClose?.(info);
      },
      onError: (e) => log.push(`error ${e.message}`),
    },
  );
  const link = () => links[links.length - 1]!;
  /** What the client wrote on the current link, parsed by mqtt-packet. */
  const sent = (): Packet[] =>
    link().writes.flatMap((w) => {
      const { packets, errors } = oracleParse(w, version);
      assert.equal(errors, []);
      assert.is(packets.length, 1, 'one packet per write');
      return packets;
    });
  const receive = (packet: Packet) => link().events.onData(oracleEncode(packet, version));
  const fire = (ms: number): void => {
    const entry = [...timers.entries()].find(([, t]) => t.ms === ms);
    assert.ok(entry, `a ${ms} ms timer (${JSON.stringify([...timers.values()])})`);
    timers.delete(entry![0]);
    entry![1].fn();
  };
  const connack = { cmd: 'connack', sessionPresent: false, returnCode: 0, reasonCode: 0 };
  return { client, timers, links, link, sent, receive, fire, closes, log, connack };
}
