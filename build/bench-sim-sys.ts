// The broker's own count of connected clients for the fleet bench (build/bench-sim.ts): mosquitto
// publishes it on $SYS every second, so it shows reconnects that the portal would see only later.
import { connect, type MqttClient } from 'mqtt';

export type SysWatch = Awaited<ReturnType<typeof sysWatch>>;

/** The broker's own count of connected clients, from $SYS (published every second). */
export async function sysWatch(url: string) {
  const samples: { at: number; connected: number }[] = [];
  const client: MqttClient = connect(url, {
    clientId: `bench-sys-${Date.now()}`,
    reconnectPeriod: 500,
  });
  client.on('message', (_topic, payload) =>
    samples.push({ at: Date.now(), connected: Number(payload.toString()) }),
  );
  client.on('error', () => {});
  client.on('connect', () => void client.subscribe('$SYS/broker/clients/connected', { qos: 0 }));
  return {
    samples,
    /** Clients connected as of the latest sample since `fromMs` (watcher and portal included). */
    connected(fromMs = 0): number {
      const last = samples[samples.length - 1];
      return last && last.at >= fromMs ? last.connected : 0;
    },
    /** The highest rise in connected clients per second between two samples since `fromMs`. */
    peakRate(fromMs: number): number {
      let peak = 0;
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        if (a.at < fromMs || b.at <= a.at) continue;
        peak = Math.max(peak, ((b.connected - a.connected) * 1000) / (b.at - a.at));
      }
      return Math.round(peak);
    },
    close: () => client.endAsync(true),
  };
}
