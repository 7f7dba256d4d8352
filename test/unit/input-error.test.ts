import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, quoteValue } from '../../agent/input-error.ts';

test('InputError carries a code and a message', () => {
  const error = new InputError('invalid_port', 'invalid port "0": expected 1..65535');
  assert.instance(error, Error);
  assert.is(error.name, 'InputError');
  assert.is(error.code, 'invalid_port');
  assert.is(error.message, 'invalid port "0": expected 1..65535');
});

test('quoteValue keeps spaces, quotes and control characters visible', () => {
  assert.is(quoteValue('wan'), '"wan"');
  assert.is(quoteValue('203.0.113.4; reboot'), '"203.0.113.4; reboot"');
  assert.is(quoteValue('wan"'), '"wan\\""');
  assert.is(quoteValue('a\nb\t\u0000'), '"a\\nb\\t\\u0000"');
  assert.is(quoteValue(''), '""');
  assert.is(quoteValue(25.5), '"25.5"');
  assert.is(quoteValue(null), '"null"');
  assert.is(quoteValue(undefined), '"undefined"');
});

test('quoteValue cuts values longer than 80 characters', () => {
  assert.is(quoteValue('x'.repeat(80)), JSON.stringify('x'.repeat(80)));
  assert.is(quoteValue('y'.repeat(81)), JSON.stringify(`${'y'.repeat(80)}...`));
});

test.run();
