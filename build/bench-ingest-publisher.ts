// The routers of the end-to-end ingest bench (build/bench-portal-ingest.ts), in a process of their
// own: status documents valid under schemas/, QoS 1, for many router ids over one MQTT 3.1.1
// connection. The packets are written by hand (CONNECT, PUBLISH, and PUBACKs counted) because
// MQTT.js costs ~125 us of CPU per QoS 1 publish: 10,000/s would take more than a core, and the
// publisher shares the machine with the broker and the portal under test.
// Message k is build/bench-statuses.ts's: router k % fleet's, always newer, never a duplicate.
// It keeps at most `window` messages published and not yet stored by the portal (the
// parent says how many are stored), so the broker's queue stays bounded, and it stops when told.
import { connect, type Socket } from 'node:net';
import { deviceId } from '../test/portal/support/documents.ts';
import { benchStatus } from './bench-statuses.ts';

export interface PublisherStart {
  readonly type: 'start';
  readonly port: number;
  readonly prefix: string;
  readonly fleet: number;
  readonly base: number;
  readonly window: number;
}
export type ToPublisher = PublisherStart | { type: 'stored'; n: number } | { type: 'stop' };
export type FromPublisher =
  | { type: 'connected' }
  | { type: 'done'; published: number; acked: number }
  | { type: 'error'; message: string };

const remainingLength = (n: number): Buffer => {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 128;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
};

const mqttString = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

function packet(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);
}

function connectPacket(clientId: string): Buffer {
  // Protocol "MQTT" level 4 (3.1.1), clean session, keep-alive off (the run is bounded anyway).
  const header = Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0x02, 0, 0])]);
  return packet(0x10, Buffer.concat([header, mqttString(clientId)]));
}

function publishPacket(topic: string, packetId: number, payload: string): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId);
  return packet(0x32, Buffer.concat([mqttString(topic), id, Buffer.from(payload, 'utf8')]));
}

/** Counts the broker's packets by type: CONNACK (0x20) and PUBACK (0x40). */
function packetReader(onPacket: (type: number, body: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      let len = 0;
      let mul = 1;
      let i = 1;
      for (; i < pending.length && i <= 4; i++) {
        len += (pending[i]! & 127) * mul;
        mul *= 128;
        if ((pending[i]! & 128) === 0) break;
      }
      if (i >= pending.length || pending.length < i + 1 + len) return;
      onPacket(pending[0]! & 0xf0, pending.subarray(i + 1, i + 1 + len));
      pending = pending.subarray(i + 1 + len);
    }
  };
}

function run(start: PublisherStart): void {
  const send = (m: FromPublisher) => process.send!(m);
  let stored = 0;
  let published = 0;
  let acked = 0;
  let stopping = false;
  let connected = false;
  const socket: Socket = connect({ host: '127.0.0.1', port: start.port });
  socket.setNoDelay(true);
  socket.on('error', (error) => {
    send({ type: 'error', message: error.message });
    process.exit(1);
  });
  const finish = () => {
    send({ type: 'done', published, acked });
    socket.end();
  };
  socket.on(
    'data',
    packetReader((type, body) => {
      if (type === 0x20) {
        if (body[1] !== 0) {
          send({ type: 'error', message: `CONNACK refused: ${body[1]}` });
          process.exit(1);
        }
        connected = true;
        send({ type: 'connected' });
        pump();
      } else if (type === 0x40) {
        acked++;
        if (stopping && acked === published) finish();
      }
    }),
  );
  socket.write(connectPacket(`bench-ingest-${process.pid}`));

  // Writes up to 200 messages per turn while the window allows, then yields to the event loop
  // (the parent's `stored` and `stop` arrive there).
  let scheduled = false;
  let draining = false;
  const pump = () => {
    scheduled = false;
    draining = false;
    if (!connected || stopping) return;
    const room = Math.min(200, start.window - (published - stored), 60_000 - (published - acked));
    if (room > 0) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < room; i++) {
        const k = published++;
        const id = deviceId((k % start.fleet) + 1);
        const packetId = (k % 65_535) + 1;
        chunks.push(
          publishPacket(
            `${start.prefix}/${id}/status`,
            packetId,
            benchStatus(k, start.fleet, start.base),
          ),
        );
      }
      if (!socket.write(Buffer.concat(chunks))) {
        draining = true;
        socket.once('drain', pump);
        return;
      }
      scheduled = true;
      setImmediate(pump);
    } else {
      // Window full: the next `stored` message wakes the pump.
    }
  };
  process.on('message', (m: ToPublisher) => {
    if (m.type === 'stored') {
      stored = m.n;
      if (!scheduled && !draining) pump();
    } else if (m.type === 'stop') {
      stopping = true;
      if (acked === published) finish();
    }
  });
}

if (process.send) {
  process.once('message', (m: ToPublisher) => {
    if (m.type === 'start') run(m);
  });
}
