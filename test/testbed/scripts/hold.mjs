// Holds one TCP connection open, run inside a namespace with `ip netns exec`.
// usage: node hold.mjs '{"host":"203.0.113.99","port":25}'
// Waits for the banner, sends "HOLD", and reports on stdout, one JSON object a line:
//   {"event":"established","localPort":N}   once the server confirmed it holds the connection
//   {"event":"pong","n":N} / {"event":"no-reply","n":N}   answers to "ping <n> <ms>" on stdin
//   {"event":"closed","reason":"end"|"<error code>"}   when the connection ends or is reset
//   {"event":"failed","reason":...}   when it could not be established
// Exits when its standard input closes.
import net from 'node:net';

const { host, port } = JSON.parse(process.argv[2] ?? '{}');
const report = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const socket = net.connect({ host, port });
socket.setNoDelay(true);
let established = false;
let closed = false;
let buffered = '';
const waiting = new Map(); // n -> timer

const setupTimer = setTimeout(() => {
  if (!established) {
    report({ event: 'failed', reason: 'timeout' });
    process.exit(1);
  }
}, 3000);

socket.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    if (line === '220 ready' && !established) socket.write('HOLD\r\n');
    else if (line === '250 holding') {
      established = true;
      clearTimeout(setupTimer);
      report({ event: 'established', localPort: socket.localPort });
    } else {
      const match = /^250 PING (\d+)$/.exec(line);
      const n = match ? Number(match[1]) : NaN;
      if (waiting.has(n)) {
        clearTimeout(waiting.get(n));
        waiting.delete(n);
        report({ event: 'pong', n });
      }
    }
  }
});
socket.on('error', (error) => {
  if (!established) {
    report({ event: 'failed', reason: error.code ?? String(error) });
    process.exit(1);
  }
  if (!closed) report({ event: 'closed', reason: error.code ?? String(error) });
  closed = true;
});
socket.on('close', () => {
  if (established && !closed) report({ event: 'closed', reason: 'end' });
  closed = true;
  // Pings still waiting will never be answered now.
  for (const [n, timer] of waiting) {
    clearTimeout(timer);
    report({ event: 'no-reply', n, reason: 'closed' });
  }
  waiting.clear();
});

let commands = '';
process.stdin.on('data', (chunk) => {
  commands += chunk.toString('utf8');
  let newline;
  while ((newline = commands.indexOf('\n')) >= 0) {
    const [verb, nText, msText] = commands.slice(0, newline).trim().split(' ');
    commands = commands.slice(newline + 1);
    if (verb !== 'ping') continue;
    const n = Number(nText);
    if (closed) {
      report({ event: 'no-reply', n, reason: 'closed' });
      continue;
    }
    waiting.set(
      n,
      setTimeout(() => {
        waiting.delete(n);
        report({ event: 'no-reply', n });
      }, Number(msText)),
    );
    socket.write(`PING ${n}\r\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
