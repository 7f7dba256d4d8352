// Connection probes, run inside a namespace with `ip netns exec`.
// usage: node probe.mjs '{"timeoutMs":1500,"targets":[{"host":"203.0.113.99","port":25}, ...]}'
// Probes every target at once and prints one JSON array, in the order given, of
// { result: "connected" | "refused" | "timeout" | "error", ms, code?, banner? }.
// "connected": the handshake completed (banner: the first line the server sent, if any came
// within BANNER_WAIT_MS); "refused": ECONNREFUSED or a reset before connecting; "timeout": no
// answer within timeoutMs; "error": anything else (code says what, e.g. ENETUNREACH).
import net from 'node:net';

const BANNER_WAIT_MS = 250;
const { timeoutMs, targets } = JSON.parse(process.argv[2] ?? '{}');

function probe({ host, port }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    let settled = false;
    let connected = null;
    const socket = net.connect({ host, port });
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ result: 'timeout', ms: elapsed() }), timeoutMs);
    socket.on('connect', () => {
      connected = { result: 'connected', ms: elapsed() };
      clearTimeout(timer);
      setTimeout(() => finish(connected), BANNER_WAIT_MS);
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      const newline = data.indexOf('\n');
      if (connected && newline >= 0)
        finish({ ...connected, banner: data.slice(0, newline).trim() });
    });
    socket.on('error', (error) => {
      if (connected) return finish(connected);
      const refused = error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET';
      finish({ result: refused ? 'refused' : 'error', ms: elapsed(), code: error.code });
    });
    socket.on('close', () => {
      if (connected) finish(connected);
    });
  });
}

const results = await Promise.all(targets.map(probe));
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
