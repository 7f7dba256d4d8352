import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LogLevel } from '../../../agent/config/daemon-settings.ts';
import { createLogger, procdSink, stderrSink } from '../../../agent/log/logger.ts';

function capture(level: LogLevel) {
  const lines: [LogLevel, string][] = [];
  const log = createLogger((l, m) => lines.push([l, m]), level);
  log.error('e');
  log.warn('w');
  log.info('i');
  log.debug('d');
  return lines.map(([l]) => l);
}

test('each level lets through itself and everything more severe', () => {
  assert.equal(capture('error'), ['error']);
  assert.equal(capture('warn'), ['error', 'warn']);
  assert.equal(capture('info'), ['error', 'warn', 'info']);
  assert.equal(capture('debug'), ['error', 'warn', 'info', 'debug']);
});

test('a message is one line: newlines become spaces', () => {
  const lines: string[] = [];
  createLogger((_, m) => lines.push(m), 'info').warn('nft: Error:\nsyntax error\n');
  assert.equal(lines, ['nft: Error: syntax error ']);
});

test('stderrSink writes op25b: <level>: <message> lines', () => {
  const out: string[] = [];
  const log = createLogger(
    stderrSink((t) => out.push(t)),
    'debug',
  );
  log.error('cannot enforce');
  log.debug('tick');
  assert.equal(out, ['op25b: error: cannot enforce\n', 'op25b: debug: tick\n']);
});

test('procdSink: info and debug on stdout, warnings and errors on stderr (procd: info, err)', () => {
  const out: string[] = [];
  const err: string[] = [];
  const log = createLogger(
    procdSink(
      (t) => out.push(t),
      (t) => err.push(t),
    ),
    'debug',
  );
  log.error('e');
  log.warn('w');
  log.info('i');
  log.debug('d');
  assert.equal(out, ['info: i\n', 'debug: d\n']);
  assert.equal(err, ['error: e\n', 'warn: w\n']);
});

test.run();
