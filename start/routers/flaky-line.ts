// The access line of a router whose link drops: a TCP relay on 127.0.0.1 between the router's
// transport (socat) and the broker. cut() ends its connections abruptly, with no MQTT
// DISCONNECT, so the broker publishes the router's Last Will; while the line is down, new
// connections are accepted and closed at once (the agent retries with its backoff); restore()
// lets them through again.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FlakyLine {
  /** The port the router connects to. */
  readonly port: number;
  readonly up: boolean;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function openFlakyLine(brokerHost: string, brokerPort: number): Promise<FlakyLine> {
  let up = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(brokerPort, brokerHost);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get up() {
      return up;
    },
    cut() {
      up = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      up = true;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
