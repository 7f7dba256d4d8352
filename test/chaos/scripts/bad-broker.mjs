// A misbehaving MQTT 3.1.1 broker for the chaos suite, run inside the WAN namespace with
// `ip netns exec`: it accepts TCP connections on host:port and answers each CONNECT the way its
// mode says. One JSON line per event on stdout ({"event":"listening"}, {"event":"accept","t":ms}).
// usage: node bad-broker.mjs <host> <port> <mode>
// modes: garbage_connack, close_after_connack, failed_suback, unknown_packet, oversized_packet,
//        silence, slow_drip
// Exits when its standard input closes; every socket it holds dies with it.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

const [host, port, mode] = process.argv.slice(2);
const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const DRIP_MS = 1500;
const sockets = new Set();

function send(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

/** The packet id of a SUBSCRIBE at the start of `data` (after its remaining length). */
function subscribeId(data) {
  let i = 1;
  while (i < data.length && data[i] & 0x80) i++;
  return data.subarray(i + 1, i + 3);
}

function drip(socket, bytes, then) {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    if (i >= bytes.length) {
      clearInterval(timer);
      return then?.();
    }
    socket.write(bytes.subarray(i, ++i));
  }, DRIP_MS);
}

function onConnect(socket) {
  switch (mode) {
    case 'garbage_connack':
      return socket.write(Buffer.concat([Buffer.from([0x20, 0x7f]), randomBytes(40)]));
    case 'close_after_connack':
      return socket.end(CONNACK);
    case 'silence':
      return undefined;
    case 'slow_drip':
      return drip(socket, CONNACK);
    default:
      return socket.write(CONNACK);
  }
}

function onSubscribe(socket, data) {
  const id = subscribeId(data);
  const suback = (codes) =>
    Buffer.concat([Buffer.from([0x90, 2 + codes.length]), id, Buffer.from(codes)]);
  switch (mode) {
    case 'failed_suback':
      return socket.write(suback([0x80, 0x80]));
    case 'unknown_packet':
      // Reserved packet types 0 and 15, then a PUBREL with bad flags.
      return socket.write(Buffer.from([0x00, 0x00, 0xf0, 0x00, 0x60, 0x02, 0x00, 0x01]));
    case 'oversized_packet': {
      socket.write(suback([0x01, 0x01]));
      // A PUBLISH announcing 268,435,455 bytes (the largest remaining length), then 32 MiB of it.
      socket.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]));
      for (let i = 0; i < 32; i++) socket.write(Buffer.alloc(1 << 20, 0x61));
      return undefined;
    }
    case 'slow_drip':
      return drip(socket, suback([0x01, 0x01]));
    default:
      return socket.write(suback([0x01, 0x01]));
  }
}

const server = createServer((socket) => {
  sockets.add(socket);
  send({ event: 'accept', t: Date.now() });
  let connected = false;
  socket.on('data', (data) => {
    if (!connected && data[0] === 0x10) {
      connected = true;
      onConnect(socket);
    } else if ((data[0] & 0xf0) === 0x80) onSubscribe(socket, data);
  });
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
});
server.listen(Number(port), host, () => send({ event: 'listening' }));
process.stdin.resume();
process.stdin.on('end', () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
