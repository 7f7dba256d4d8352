// A prober that keeps connecting, run inside a namespace:
//   node prober.mjs '{"targets":[{"host":"203.0.113.99","port":25}, ...],"timeoutMs":400}'
// Connects to each target in turn, again and again, and prints one JSON line per attempt:
// { host, port, result: "connected" | "refused" | "timeout" | "error", ms, at } (at: ms since
// start). Stops when its standard input closes.
import net from 'node:net';

const { targets, timeoutMs } = JSON.parse(process.argv[2] ?? '{}');
const started = performance.now();
let running = true;
process.stdin.on('end', () => (running = false));
process.stdin.on('close', () => (running = false));
process.stdin.resume();

function attempt({ host, port }) {
  return new Promise((resolve) => {
    const begin = performance.now();
    const socket = net.connect({ host, port });
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const now = performance.now();
      resolve({ host, port, result, ms: Math.round(now - begin), at: Math.round(begin - started) });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => finish('connected'));
    socket.on('error', (error) =>
      finish(error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' ? 'refused' : 'error'),
    );
  });
}

while (running) {
  for (const target of targets) {
    const record = await attempt(target);
    process.stdout.write(`${JSON.stringify(record)}\n`);
    if (!running) break;
  }
  await new Promise((r) => setTimeout(r, 5));
}
process.exit(0);
