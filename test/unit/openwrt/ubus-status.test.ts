import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { failureOfExit, UBUS_STATUS, UbusError } from '../../../agent/openwrt/ubus-status.ts';

test('the status names follow libubus: 0 OK .. 13 SYSTEM_ERROR', () => {
  assert.equal(UBUS_STATUS, [
    'OK',
    'INVALID_COMMAND',
    'INVALID_ARGUMENT',
    'METHOD_NOT_FOUND',
    'NOT_FOUND',
    'NO_DATA',
    'PERMISSION_DENIED',
    'TIMEOUT',
    'NOT_SUPPORTED',
    'UNKNOWN_ERROR',
    'CONNECTION_FAILED',
    'NO_MEMORY',
    'PARSE_ERROR',
    'SYSTEM_ERROR',
  ]);
});

test('exit codes of `ubus -S`: the status itself', () => {
  assert.is(failureOfExit(3), 'METHOD_NOT_FOUND');
  assert.is(failureOfExit(4), 'NOT_FOUND');
  assert.is(failureOfExit(5), 'NO_DATA');
  assert.is(failureOfExit(7), 'TIMEOUT');
  assert.is(failureOfExit(12), 'PARSE_ERROR');
  assert.is(failureOfExit(13), 'SYSTEM_ERROR');
});

test('exit codes without -S off a TTY: 256 - status', () => {
  assert.is(failureOfExit(253), 'METHOD_NOT_FOUND');
  assert.is(failureOfExit(251), 'NO_DATA');
  assert.is(failureOfExit(249), 'TIMEOUT');
  assert.is(failureOfExit(244), 'PARSE_ERROR');
  assert.is(failureOfExit(243), 'SYSTEM_ERROR');
});

test('255 is "Failed to connect to ubus", 127 a missing program, the rest unknown', () => {
  assert.is(failureOfExit(255), 'CONNECTION_FAILED');
  assert.is(failureOfExit(127), 'NOT_INSTALLED');
  for (const code of [0, 14, 100, 137, 200, 242, 254]) {
    const expected = code === 254 ? 'INVALID_ARGUMENT' : 'UNKNOWN_ERROR';
    assert.is(failureOfExit(code), expected, String(code));
  }
});

test('UbusError carries the status and says what failed', () => {
  const error = new UbusError('NOT_FOUND', 'call network.interface.wan status');
  assert.instance(error, Error);
  assert.is(error.name, 'UbusError');
  assert.is(error.status, 'NOT_FOUND');
  assert.is(error.what, 'call network.interface.wan status');
  assert.is(error.message, 'ubus call network.interface.wan status: NOT_FOUND');
});

test.run();
