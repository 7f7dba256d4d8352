// A private mosquitto on 127.0.0.1 for one test file: anonymous, Nagle off, in a temp directory
// removed on stop.
import { freePort, startMosquitto, tempDir, type Mosquitto } from '../../mqtt/helpers.ts';

export interface Broker {
  readonly url: string;
  readonly mosquitto: Mosquitto;
  stop(): Promise<void>;
}

export async function startTestBroker(): Promise<Broker> {
  const dir = tempDir();
  const port = await freePort();
  const mosquitto = await startMosquitto(
    dir.path,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n`,
    [{ host: '127.0.0.1', port }],
  );
  return {
    url: `mqtt://127.0.0.1:${port}`,
    mosquitto,
    stop: async () => {
      await mosquitto.stop();
      dir.remove();
    },
  };
}
