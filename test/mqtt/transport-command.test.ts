import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBrokerUrl } from '../../agent/mqtt/broker-url.ts';
import { describeTransportFailure, transportArgv } from '../../agent/mqtt/transport-command.ts';

const tls = { caFile: '/etc/op25b/ca.pem' };
const clientCert = { ...tls, certFile: '/etc/op25b/client.pem', keyFile: '/etc/op25b/client.key' };

test('plain TCP: socat', () => {
  assert.equal(transportArgv(parseBrokerUrl('mqtt://broker.example.net')), [
    'socat',
    '-',
    'TCP:broker.example.net:1883,nodelay',
  ]);
  assert.equal(transportArgv(parseBrokerUrl('mqtt://[2001:db8::1]:1884')), [
    'socat',
    '-',
    'TCP:[2001:db8::1]:1884,nodelay',
  ]);
});

test('TLS with a DNS name: hostname verification and SNI', () => {
  assert.equal(transportArgv(parseBrokerUrl('mqtts://broker.example.net'), clientCert), [
    'openssl', 's_client', '-quiet', '-verify', '8', '-verify_return_error',
    '-verify_hostname', 'broker.example.net', '-servername', 'broker.example.net',
    '-CAfile', '/etc/op25b/ca.pem',
    '-cert', '/etc/op25b/client.pem', '-key', '/etc/op25b/client.key',
    '-connect', 'broker.example.net:8883',
  ]); // prettier-ignore
});

test('TLS with an IP literal: IP verification, no SNI', () => {
  assert.equal(transportArgv(parseBrokerUrl('mqtts://[2001:db8::1]:8884'), tls), [
    'openssl', 's_client', '-quiet', '-verify', '8', '-verify_return_error',
    '-verify_ip', '2001:db8::1', '-noservername', '-CAfile', '/etc/op25b/ca.pem',
    '-connect', '[2001:db8::1]:8884',
  ]); // prettier-ignore
  assert.ok(transportArgv(parseBrokerUrl('mqtts://203.0.113.5'), tls).includes('203.0.113.5'));
});

test('TLS on OpenSSL 3: s_client ends the connection when its stdin ends', () => {
  const argv = transportArgv(parseBrokerUrl('mqtts://broker.example.net'), {
    ...tls,
    closeOnStdinEnd: true,
  });
  assert.equal(argv.slice(0, 8), [
    'openssl', 's_client', '-quiet', '-verify', '8', '-verify_return_error',
    '-no_ign_eof', '-nocommands',
  ]); // prettier-ignore
  assert.not.ok(
    transportArgv(parseBrokerUrl('mqtts://broker.example.net'), tls).includes('-nocommands'),
  );
});

test('TLS is never unverified: a CA file is required; cert and key go together', () => {
  const url = parseBrokerUrl('mqtts://broker.example.net');
  assert.throws(() => transportArgv(url), /needs a CA file/);
  assert.throws(() => transportArgv(url, { caFile: '' }), /caFile/);
  assert.throws(() => transportArgv(url, { ...tls, certFile: '/c.pem' }), /go together/);
  assert.throws(() => transportArgv(url, { ...tls, keyFile: '/k.pem' }), /go together/);
});

test('failure descriptions: socat', () => {
  const refused = describeTransportFailure(
    'socat',
    1,
    '2026/11/28 05:42:43 socat[8711] E connect(5, AF=2 127.0.0.1:1, 16): Connection refused\n',
  );
  assert.equal(refused, {
    code: 'ECONNREFUSED',
    message: 'socat exited with code 1: connect(5, AF=2 127.0.0.1:1, 16): Connection refused',
  });
  const name = describeTransportFailure(
    'socat',
    1,
    '2026/11/28 05:42:43 socat[8713] E getaddrinfo("x.invalid", "NULL", {1,0,1,6}, {}): Name or service not known\n',
  );
  assert.is(name.code, 'ENOTFOUND');
  assert.is(
    describeTransportFailure('socat', 1, 'E read(5): Connection reset by peer').code,
    'ECONNRESET',
  );
  assert.is(
    describeTransportFailure('socat', 1, 'E connect(): No route to host').code,
    'EHOSTUNREACH',
  );
  assert.is(
    describeTransportFailure('socat', 1, 'E connect(): Network is unreachable').code,
    'ENETUNREACH',
  );
  assert.is(
    describeTransportFailure('socat', 1, 'E connect(): Connection timed out').code,
    'ETIMEDOUT',
  );
});

test('failure descriptions: openssl s_client', () => {
  const verify = describeTransportFailure(
    'openssl s_client',
    1,
    'depth=0 CN = evil\nverify error:num=20:unable to get local issuer certificate\n' +
      '40270CEFA67F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:\n',
  );
  assert.equal(verify, {
    code: 'ETLSVERIFY',
    message:
      'openssl s_client exited with code 1: verify error:num=20:unable to get local issuer certificate',
  });
  assert.is(
    describeTransportFailure('openssl s_client', 1, 'verify error:num=62:hostname mismatch').code,
    'ETLSVERIFY',
  );
  const alert = describeTransportFailure(
    'openssl s_client',
    1,
    '40B785E0C07F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n',
  );
  assert.is(alert.code, 'ETLS');
  assert.match(alert.message, /: SSL routines:ssl3_read_bytes:tlsv13 alert certificate required/);
  const refused = describeTransportFailure(
    'openssl s_client',
    1,
    '40F78992357F0000:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:117:calling connect()\nconnect:errno=111\n',
  );
  assert.is(refused.code, 'ECONNREFUSED');
});

test('failure descriptions: missing program, unknown failure', () => {
  assert.equal(describeTransportFailure('socat', 127, ''), {
    code: 'ENOENT',
    message: 'socat is not installed (exit code 127)',
  });
  assert.is(describeTransportFailure('socat', 127, 'socat: spawn socat ENOENT\n').code, 'ENOENT');
  assert.equal(describeTransportFailure('socat', 2, 'something odd\nlast words\n'), {
    code: 'ETRANSPORT',
    message: 'socat exited with code 2: last words',
  });
  assert.equal(describeTransportFailure('socat', 143, ''), {
    code: 'ETRANSPORT',
    message: 'socat exited with code 143',
  });
});

test.run();
