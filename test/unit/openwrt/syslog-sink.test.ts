import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../../agent/log/logger.ts';
import { stderrOutput, syslogOutput } from '../../../agent/log/syslog-sink.ts';
import { fakeRuntime } from './fake-runtime.ts';

test('one `logger -t op25b -p daemon.<level>` per level, started at its first line', () => {
  const runtime = fakeRuntime(['logger']);
  const log = createLogger(syslogOutput(runtime).sink, 'debug');
  assert.is(runtime.children.length, 0, 'nothing before the first line');
  log.info('started');
  log.info('enforcing');
  log.warn('ubus listen exited');
  log.error('cannot enforce');
  log.debug('ubus: wan ifup');
  assert.equal(
    runtime.children.map((c) => c.argv.join(' ')),
    [
      'logger -t op25b -p daemon.info',
      'logger -t op25b -p daemon.warning',
      'logger -t op25b -p daemon.err',
      'logger -t op25b -p daemon.debug',
    ],
  );
  assert.equal(runtime.children[0]!.input, ['started\n', 'enforcing\n']);
  assert.equal(runtime.children[1]!.input, ['ubus listen exited\n']);
  assert.equal(runtime.stderr, []);
});

test('a message with newlines stays one syslog line; the level filter applies first', () => {
  const runtime = fakeRuntime(['logger']);
  const log = createLogger(syslogOutput(runtime).sink, 'warn');
  log.warn('two\nlines');
  log.info('not logged');
  assert.equal(runtime.children.length, 1);
  assert.equal(runtime.children[0]!.input, ['two lines\n']);
});

test('no logger program: stderr, as the stderr target writes it', () => {
  const runtime = fakeRuntime([]);
  const log = createLogger(syslogOutput(runtime).sink, 'info');
  log.info('started');
  assert.equal(runtime.children, []);
  assert.equal(runtime.stderr, ['op25b: info: started\n']);
  const plain = fakeRuntime([]);
  createLogger(stderrOutput(plain).sink, 'info').info('started');
  assert.equal(plain.stderr, runtime.stderr);
});

test('a logger that exits is started again at the next line; one that cannot run (127) is given up', () => {
  const runtime = fakeRuntime(['logger']);
  const log = createLogger(syslogOutput(runtime).sink, 'info');
  log.info('one');
  runtime.children[0]!.exit(1);
  log.info('two');
  assert.is(runtime.children.length, 2);
  assert.equal(runtime.children[1]!.input, ['two\n']);
  runtime.children[1]!.exit(127);
  assert.equal(runtime.stderr, ['op25b: warn: logger cannot run: logging to stderr\n']);
  log.info('three');
  assert.is(runtime.children.length, 2);
  assert.equal(runtime.stderr.at(-1), 'op25b: info: three\n');
});

test("close() ends the loggers' input and waits until they exited", async () => {
  const runtime = fakeRuntime(['logger']);
  const output = syslogOutput(runtime);
  const log = createLogger(output.sink, 'info');
  log.info('a');
  log.warn('b');
  let closed = false;
  const done = output.close().then(() => (closed = true));
  assert.ok(runtime.children.every((c) => c.stdinClosed));
  runtime.children[0]!.exit(0);
  await runtime.settle();
  assert.not.ok(closed);
  runtime.children[1]!.exit(0);
  await done;
  assert.ok(closed);
  assert.is(runtime.pendingTimers(), 0);
});

test('close() gives up after 2 s; with nothing started it resolves at once', async () => {
  const runtime = fakeRuntime(['logger']);
  const output = syslogOutput(runtime);
  createLogger(output.sink, 'info').info('a');
  let closed = false;
  void output.close().then(() => (closed = true));
  await runtime.advance(1999);
  assert.not.ok(closed);
  await runtime.advance(1);
  assert.ok(closed);
  await syslogOutput(fakeRuntime(['logger'])).close();
  await stderrOutput(runtime).close();
});

test.run();
