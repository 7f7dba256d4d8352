// Shared pieces of the stand-ins: the fixture directory and getopt as musl's (no permutation:
// options end at the first non-option argument).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The fixture directory ($OP25B_STANDIN_DIR), or null when unset. */
function standinDir() {
  const dir = process.env.OP25B_STANDIN_DIR;
  return dir ? path.resolve(dir) : null;
}

/**
 * Parses options like getopt(3) with `spec` (e.g. "m:M:vs:t:S"). Returns { options, rest } where
 * options is a list of [letter, value]; or { error: letter } for an unknown option or a missing
 * value.
 */
function getopt(argv, spec) {
  const options = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j];
      const at = spec.indexOf(letter);
      if (at < 0 || letter === ':') return { error: letter };
      if (spec[at + 1] !== ':') {
        options.push([letter, null]);
        continue;
      }
      let value = arg.slice(j + 1);
      if (value === '') {
        if (i + 1 >= argv.length) return { error: letter };
        value = argv[++i];
      }
      options.push([letter, value]);
      break;
    }
  }
  return { options, rest: argv.slice(i) };
}

/** Appends a line to a file, creating its directory. */
function appendLine(file, line) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${line}\n`);
}

/** Writes to a file descriptor completely and at once (stdout may be a pipe). */
function writeAll(fd, text) {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

module.exports = { standinDir, getopt, appendLine, writeAll };
