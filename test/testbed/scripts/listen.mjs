// TCP listeners for the test bed, run inside a namespace with `ip netns exec`.
// usage: node listen.mjs '[{"host":"0.0.0.0","port":25}, ...]'
// Each connection gets "220 ready" and is closed, unless the client sends "HOLD" within
// HOLD_WINDOW_MS: then it stays open and every further line is answered "250 <line>".
// Prints "ready" once every socket listens; exits when its standard input closes (so it never
// outlives the test process) or on SIGTERM.
import net from 'node:net';

const HOLD_WINDOW_MS = 500;
const specs = JSON.parse(process.argv[2] ?? '[]');

function serve(socket) {
  socket.on('error', () => {});
  socket.setNoDelay(true);
  socket.write('220 ready\r\n');
  let holding = false;
  let buffered = '';
  const timer = setTimeout(() => {
    if (!holding) socket.end();
  }, HOLD_WINDOW_MS);
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!holding && line === 'HOLD') {
        holding = true;
        clearTimeout(timer);
        socket.write('250 holding\r\n');
      } else if (holding) socket.write(`250 ${line}\r\n`);
    }
  });
  socket.on('close', () => clearTimeout(timer));
}

const servers = specs.map(
  ({ host, port }) =>
    new Promise((resolve, reject) => {
      const server = net.createServer(serve);
      server.on('error', reject);
      server.listen({ host, port, ipv6Only: host.includes(':') }, () => resolve(server));
    }),
);

Promise.all(servers).then(
  () => process.stdout.write('ready\n'),
  (error) => {
    process.stderr.write(`listen: ${error.message}\n`);
    process.exit(1);
  },
);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
