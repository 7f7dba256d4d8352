// Stand-in for OpenWrt's `ubus` command line tool, driven by files in $OP25B_STANDIN_DIR
// (see ../README.md). Output formats and exit codes follow ubus's cli.c as recorded in
// /work/shared/notes/platform-facts.md: -S prints compact JSON, without it tab-indented JSON;
// a failed call exits with the status (-S, or stderr a TTY) or 256 - status; an unknown object
// exits 4; no ubusd exits 255. A running `listen` whose ubusd goes away (down, or restarted)
// keeps running and prints nothing ever again, as the real CLI does: libubox drops the socket
// from its loop on EPOLLHUP and the CLI waits in epoll_wait for ever.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tty = require('node:tty');
const { appendLine, getopt, standinDir, writeAll } = require('./common.cjs');

const STATUS = {
  OK: 0,
  INVALID_COMMAND: 1,
  INVALID_ARGUMENT: 2,
  METHOD_NOT_FOUND: 3,
  NOT_FOUND: 4,
  NO_DATA: 5,
  PERMISSION_DENIED: 6,
  TIMEOUT: 7,
  NOT_SUPPORTED: 8,
  UNKNOWN_ERROR: 9,
  CONNECTION_FAILED: 10,
  NO_MEMORY: 11,
  PARSE_ERROR: 12,
  SYSTEM_ERROR: 13,
};
// libubus's ubus_strerror().
const STATUS_TEXT = [
  'Success',
  'Invalid command',
  'Invalid argument',
  'Method not found',
  'Not found',
  'No response',
  'Permission denied',
  'Request timed out',
  'Operation not supported',
  'Unknown error',
  'Connection failed',
  'Out of memory',
  'Parsing message data failed',
  'System error',
];

const USAGE = `Usage: %s [<options>] <command> [arguments...]
Options:
 -s <socket>:\t\tSet the unix domain socket to connect to
 -t <timeout>:\t\tSet the timeout (in seconds) for a command to complete
 -S:\t\t\tUse simplified output (for scripts)
 -v:\t\t\tMore verbose output
 -m <type>:\t\t(for monitor): include a specific message type
\t\t\t(can be used more than once)
 -M <r|t>\t\t(for monitor): only capture received or transmitted traffic

Commands:
 - list [<path>]\t\t\tList objects
 - call <path> <method> [<message>]\tCall an object method
 - subscribe <path> [<path>...]\tSubscribe to object(s) notifications
 - listen [<path>...]\t\t\tListen for events
 - send <type> [<message>]\t\tSend an event
 - wait_for <object> [<object>...]\tWait for multiple objects to appear on ubus
 - monitor\t\t\t\tMonitor ubus traffic

`;

const POLL_MS = 20;

let simple = false;
let verbose = 0;
let timeoutS = 30;
let listenTimeoutS = 0;
let dir = null;

const ubusDir = () => path.join(dir, 'ubus');
const eventsFile = () => path.join(ubusDir(), 'events');
/** Which ubusd runs: `dir.restartDaemon()` and `setDaemonDown(true)` change it. */
const ubusdBoot = () => readOr(path.join(dir, 'ubusd.boot'), '0').trim();

function usage() {
  process.stderr.write(USAGE.replace('%s', 'ubus'));
  return 1;
}

/** ubus_cli_error(): off a TTY and without -S, a message and 256 - status. */
function cliError(command, args, status) {
  if (!simple && !tty.isatty(2)) {
    const words = args.map((a) => `${a} `).join('');
    process.stderr.write(`Command failed: ubus ${command} ${words}(${STATUS_TEXT[status]})\n`);
    return -status;
  }
  return status;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** blobmsg_add_json_from_string(): only a JSON object is a message. */
function parseMessage(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** blobmsg_format_json_indent(): tabs, `"key": value`, empty containers on two lines. */
function indented(value, level) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const array = Array.isArray(value);
  const entries = array ? value.map((v) => [null, v]) : Object.entries(value);
  const sep = (n) => `\n${'\t'.repeat(n)}`;
  const items = entries.map(
    ([key, v]) => `${key === null ? '' : `${JSON.stringify(key)}: `}${indented(v, level + 1)}`,
  );
  return `${array ? '[' : '{'}${sep(level + 1)}${items.join(`,${sep(level + 1)}`)}${sep(level)}${
    array ? ']' : '}'
  }`;
}

function fixtureFiles() {
  try {
    return fs.readdirSync(ubusDir()).filter((f) => f.includes('~'));
  } catch {
    return [];
  }
}

/** `network.interface.<name>~status.json` fixtures: netifd's dump is made of them. */
function interfaceStatuses() {
  const out = [];
  for (const file of fixtureFiles()) {
    const match = /^network\.interface\.([^~]+)~status\.json$/.exec(file);
    if (!match) continue;
    const status = parseMessage(readOr(path.join(ubusDir(), file), ''));
    if (status) out.push({ interface: match[1], ...status });
  }
  // netifd keeps its interfaces in an AVL tree by name: the dump comes in name order.
  return out.sort((a, b) => (a.interface < b.interface ? -1 : a.interface > b.interface ? 1 : 0));
}

function objects() {
  const names = new Set(fixtureFiles().map((f) => f.slice(0, f.indexOf('~'))));
  if ([...names].some((n) => n.startsWith('network.interface.'))) names.add('network.interface');
  return [...names].sort();
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** The answer of a method: { status } or { reply } (reply undefined: no data), after a delay. */
function answer(object, method) {
  const base = path.join(ubusDir(), `${object}~${method}`);
  const delayMs = Number(readOr(`${base}.delay`, '0').trim()) || 0;
  if (delayMs > 0) {
    if (delayMs > timeoutS * 1000) {
      sleep(timeoutS * 1000);
      return { status: STATUS.TIMEOUT };
    }
    sleep(delayMs);
  }
  const status = readOr(`${base}.status`, null);
  if (status !== null) return { status: Number(status.trim()) };
  const text = readOr(`${base}.json`, null);
  if (text === null) {
    if (object === 'network.interface' && method === 'dump')
      return { reply: { interface: interfaceStatuses() } };
    return { status: STATUS.METHOD_NOT_FOUND };
  }
  // As rpcd with an exec plugin: no output is NO_DATA, anything but an object INVALID_ARGUMENT.
  if (text.trim() === '') return { status: STATUS.NO_DATA };
  const reply = parseMessage(text);
  return reply ? { reply } : { status: STATUS.INVALID_ARGUMENT };
}

function call(args) {
  if (args.length < 2 || args.length > 3) return -2;
  let message = {};
  if (args.length === 3) {
    message = parseMessage(args[2]);
    if (!message) return cliError('call', args, STATUS.PARSE_ERROR);
  }
  const [object, method] = args;
  if (!objects().includes(object)) return STATUS.NOT_FOUND;
  appendLine(path.join(ubusDir(), 'calls.log'), `${object} ${method} ${JSON.stringify(message)}`);
  const result = answer(object, method);
  if (result.status) return cliError('call', args, result.status);
  if (result.reply !== undefined)
    writeAll(1, `${simple ? JSON.stringify(result.reply) : indented(result.reply, 0)}\n`);
  return 0;
}

function list(args) {
  if (args.length > 1) return -2;
  let found = objects();
  if (args.length === 1) {
    const pattern = args[0];
    found = pattern.endsWith('*')
      ? found.filter((o) => o.startsWith(pattern.slice(0, -1)))
      : found.filter((o) => o === pattern);
    if (found.length === 0) return STATUS.NOT_FOUND;
  }
  for (const object of found) {
    if (simple || !verbose) writeAll(1, `${object}\n`);
    else {
      writeAll(1, `'${object}' @${(hash(object) >>> 0).toString(16).padStart(8, '0')}\n`);
      const methods = fixtureFiles()
        .filter((f) => f.startsWith(`${object}~`))
        .map((f) => f.slice(object.length + 1).replace(/\.[a-z]+$/, ''));
      for (const method of [...new Set(methods)]) writeAll(1, `\t"${method}":{}\n`);
    }
  }
  return 0;
}

function hash(text) {
  let h = 5381;
  for (const c of Buffer.from(text)) h = (h * 33 + c) | 0;
  return h;
}

function matches(patterns, type) {
  return patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p));
}

/**
 * Follows the events file from its current end; ends (exit 0) on -t. When ubusd goes (down or
 * restarted), it is no longer registered and prints nothing more, but keeps running.
 */
function listen(args) {
  const patterns = args.length ? args : ['*'];
  const file = eventsFile();
  let offset = 0;
  try {
    offset = fs.statSync(file).size;
  } catch {
    // no event yet
  }
  // Registered: tests wait for this file before they send events (ubusd drops events that
  // come before a listener registered, and so does the stand-in).
  // Which ubusd it registers with is read first: a restart right after the marker appears
  // must leave it deaf, as the real CLI's connection belongs to the old ubusd.
  const boot = ubusdBoot();
  const marker = path.join(ubusDir(), 'listeners', String(process.pid));
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, `${patterns.join(' ')}\n`);
  const unregister = () => fs.rmSync(marker, { force: true });
  process.on('exit', unregister);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'])
    process.on(signal, () => process.exit(128 + os.constants.signals[signal]));
  let partial = Buffer.alloc(0);
  const deadline = listenTimeoutS ? Date.now() + listenTimeoutS * 1000 : Infinity;
  let deaf = false;
  const poll = () => {
    if (Date.now() >= deadline) process.exit(0);
    if (!deaf && (fs.existsSync(path.join(dir, 'ubusd.down')) || ubusdBoot() !== boot)) {
      deaf = true; // the socket is gone from the loop: no event will ever be read again
      unregister();
    }
    if (deaf) return;
    let size = offset;
    try {
      size = fs.statSync(file).size;
    } catch {
      size = 0;
    }
    if (size < offset) offset = 0; // the file was replaced
    if (size > offset) {
      const chunk = Buffer.alloc(size - offset);
      const fd = fs.openSync(file, 'r');
      try {
        fs.readSync(fd, chunk, 0, chunk.length, offset);
      } finally {
        fs.closeSync(fd);
      }
      offset = size;
      partial = Buffer.concat([partial, chunk]);
      let newline;
      while ((newline = partial.indexOf(10)) >= 0) {
        const line = partial.subarray(0, newline).toString('utf8');
        partial = partial.subarray(newline + 1);
        let event;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof event?.type !== 'string' || !matches(patterns, event.type)) continue;
        // receive_event(): printf("{ \"%s\": %s }\n", type, compact JSON); fflush(stdout)
        writeAll(1, `{ "${event.type}": ${JSON.stringify(event.data ?? {})} }\n`);
      }
    }
  };
  poll();
  setInterval(poll, Math.min(POLL_MS, listenTimeoutS ? listenTimeoutS * 1000 : POLL_MS));
  return null; // runs until killed or -t
}

function send(args) {
  if (args.length < 1 || args.length > 2) return -2;
  let data = {};
  if (args.length === 2) {
    data = parseMessage(args[1]);
    if (!data) return STATUS.PARSE_ERROR;
  }
  appendLine(eventsFile(), JSON.stringify({ type: args[0], data }));
  return 0;
}

function waitFor(args) {
  if (args.length < 1) return -2;
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const present = objects();
    if (args.every((a) => present.includes(a))) return 0;
    if (Date.now() >= deadline) return STATUS.TIMEOUT;
    sleep(POLL_MS);
  }
}

function main(argv) {
  const parsed = getopt(argv, 'm:M:vs:t:S');
  if (parsed.error) return usage();
  for (const [letter, value] of parsed.options) {
    if (letter === 'S') simple = true;
    else if (letter === 'v') verbose++;
    else if (letter === 't') listenTimeoutS = timeoutS = Number.parseInt(value, 10) || 0;
  }
  const [command, ...args] = parsed.rest;
  if (command === undefined) return usage();
  dir = standinDir();
  if (!dir || fs.existsSync(path.join(dir, 'ubusd.down'))) {
    if (!simple) process.stderr.write('Failed to connect to ubus\n');
    return -1;
  }
  const commands = { list, call, listen, send, wait_for: waitFor };
  const ret = Object.hasOwn(commands, command) ? commands[command](args) : -2;
  if (ret === null) return null;
  if (ret > 0 && !simple) process.stderr.write(`Command failed: ${STATUS_TEXT[ret]}\n`);
  else if (ret === -2) usage();
  return ret;
}

const code = main(process.argv.slice(2));
if (code !== null) process.exitCode = code & 0xff;
