// Stand-in for `logger` (BusyBox's on OpenWrt): instead of syslog, each message becomes a line
// `<facility>.<level> <tag>: <message>` appended to $OP25B_STANDIN_DIR/syslog, at once.
// Options -t TAG, -p PRIORITY (facility.level, level, or a number), -s (also to stderr). With
// message arguments it logs them joined by spaces; without, one message per line of stdin (empty
// lines skipped), as both BusyBox and util-linux do.
'use strict';
const os = require('node:os');
const path = require('node:path');
const { appendLine, getopt, standinDir } = require('./common.cjs');

// <syslog.h>'s prioritynames and facilitynames, aliases mapped to the canonical name.
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const LEVEL_ALIASES = { panic: 'emerg', error: 'err', warn: 'warning' };
const FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};
const FACILITY_ALIASES = { security: 'auth' };

function fail(message) {
  process.stderr.write(`logger: ${message}\n`);
  process.exit(1);
}

/** "daemon.info" from "daemon.info", "info", "30", ... (default facility user). */
function priority(text) {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    const facility = Object.keys(FACILITIES).find((f) => FACILITIES[f] === n >> 3);
    if (!facility) fail(`unknown facility name: ${n >> 3}`);
    return `${facility}.${LEVELS[n & 7]}`;
  }
  const dot = text.lastIndexOf('.');
  let facility = dot >= 0 ? text.slice(0, dot) : 'user';
  let level = dot >= 0 ? text.slice(dot + 1) : text;
  facility = FACILITY_ALIASES[facility] ?? facility;
  level = LEVEL_ALIASES[level] ?? level;
  if (!Object.hasOwn(FACILITIES, facility)) fail(`unknown facility name: ${facility}`);
  if (!LEVELS.includes(level)) fail(`unknown priority name: ${level}`);
  return `${facility}.${level}`;
}

function main(argv) {
  const parsed = getopt(argv, 'st:p:');
  if (parsed.error) fail(`invalid option -- '${parsed.error}'`);
  let tag = process.env.USER || os.userInfo().username || 'root';
  let prio = 'user.notice';
  let toStderr = false;
  for (const [letter, value] of parsed.options) {
    if (letter === 't') tag = value;
    else if (letter === 'p') prio = priority(value);
    else if (letter === 's') toStderr = true;
  }
  const dir = standinDir();
  if (!dir) fail('(stand-in) OP25B_STANDIN_DIR is not set');
  const file = path.join(dir, 'syslog');
  const log = (message) => {
    appendLine(file, `${prio} ${tag}: ${message}`);
    if (toStderr) process.stderr.write(`${tag}: ${message}\n`);
  };
  if (parsed.rest.length) return log(parsed.rest.join(' '));
  // One message per line, logged as soon as the line is complete.
  let partial = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) if (line !== '') log(line);
  });
  process.stdin.on('end', () => {
    if (partial !== '') log(partial);
  });
}

main(process.argv.slice(2));
