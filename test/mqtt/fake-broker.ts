// A fake broker: a TCP server on 127.0.0.1 whose connections the test drives, for misbehaving.
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeBroker {
  readonly port: number;
  readonly connections: Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that hands each connection to `onConnection` (for misbehaving). */
export async function fakeBroker(onConnection: (socket: Socket) => void): Promise<FakeBroker> {
  const connections: Socket[] = [];
  const server: Server = createServer((socket) => {
    connections.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections,
    close: async () => {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
