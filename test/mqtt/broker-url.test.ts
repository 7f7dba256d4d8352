import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatBrokerUrl, hostPort, parseBrokerUrl } from '../../agent/mqtt/broker-url.ts';
import { InputError } from '../../agent/input-error.ts';

test('mqtt:// and mqtts:// with and without a port', () => {
  assert.equal(parseBrokerUrl('mqtt://broker.example.net'), {
    tls: false,
    host: 'broker.example.net',
    hostKind: 'dns',
    port: 1883,
  });
  assert.equal(parseBrokerUrl('mqtts://broker.example.net'), {
    tls: true,
    host: 'broker.example.net',
    hostKind: 'dns',
    port: 8883,
  });
  assert.equal(parseBrokerUrl('mqtts://Broker.Example.NET:443/'), {
    tls: true,
    host: 'broker.example.net',
    hostKind: 'dns',
    port: 443,
  });
  assert.equal(parseBrokerUrl('MQTT://localhost:1'), {
    tls: false,
    host: 'localhost',
    hostKind: 'dns',
    port: 1,
  });
});

test('IPv4 and bracketed IPv6 literals', () => {
  assert.equal(parseBrokerUrl('mqtt://203.0.113.7:1884'), {
    tls: false,
    host: '203.0.113.7',
    hostKind: 'ipv4',
    port: 1884,
  });
  assert.equal(parseBrokerUrl('mqtts://[2001:DB8:0:0::1]:8883'), {
    tls: true,
    host: '2001:db8::1',
    hostKind: 'ipv6',
    port: 8883,
  });
  assert.equal(parseBrokerUrl('mqtts://[::1]'), {
    tls: true,
    host: '::1',
    hostKind: 'ipv6',
    port: 8883,
  });
  assert.is(hostPort(parseBrokerUrl('mqtts://[2001:db8::1]:8883')), '[2001:db8::1]:8883');
  assert.is(hostPort(parseBrokerUrl('mqtt://198.51.100.1')), '198.51.100.1:1883');
});

test('formats back canonically', () => {
  assert.is(
    formatBrokerUrl(parseBrokerUrl('MQTTS://[2001:db8:0::1]:8883/')),
    'mqtts://[2001:db8::1]',
  );
  assert.is(
    formatBrokerUrl(parseBrokerUrl('mqtt://Host.Example:1884')),
    'mqtt://host.example:1884',
  );
});

const bad: [string, RegExp][] = [
  ['', /expected mqtt:\/\/host/],
  ['broker.example.net', /expected mqtt:\/\/host/],
  ['http://broker.example.net', /unsupported scheme "http"/],
  ['ws://broker.example.net', /unsupported scheme/],
  ['mqtt://', /host is missing/],
  ['mqtt://:1883', /host is missing/],
  ['mqtt://user:pw@broker.example.net', /user info/],
  ['mqtt://broker.example.net/topic', /path, query or fragment/],
  ['mqtt://broker.example.net?x=1', /path, query or fragment/],
  ['mqtt://broker.example.net#x', /path, query or fragment/],
  ['mqtt://broker.example.net//', /path, query or fragment/],
  ['mqtt://broker.example.net:0', /port/],
  ['mqtt://broker.example.net:65536', /port/],
  ['mqtt://broker.example.net:01883', /port/],
  ['mqtt://broker.example.net:+1883', /port/],
  ['mqtt://broker.example.net:', /port/],
  ['mqtt://broker.example.net:18 83', /port/],
  ['mqtt://2001:db8::1:8883', /must be in brackets/],
  ['mqtt://[2001:db8::1', /unterminated/],
  ['mqtt://[2001:db8::1]x', /after \]/],
  ['mqtt://[2001:db8::1]:', /port/],
  ['mqtt://[fe80::1%eth0]:1883', /zone/],
  ['mqtt://[203.0.113.1]', /not an IPv6 address/],
  ['mqtt://[2001:db8::g]', /not an IPv6 address/],
  ['mqtt://[]', /not an IPv6 address/],
  ['mqtt://256.0.0.1', /not a valid IPv4/],
  ['mqtt://203.0.113', /not a valid IPv4/],
  ['mqtt://010.0.0.1', /not a valid IPv4/],
  ['mqtt://1883', /not a valid IPv4/],
  ['mqtt://0x7f.1', /neither a DNS name/],
  ['mqtt://host.123', /neither a DNS name/],
  ['mqtt://-broker.example.net', /not a valid DNS name/],
  ['mqtt://broker-.example.net', /not a valid DNS name/],
  ['mqtt://broker..example.net', /not a valid DNS name/],
  ['mqtt://broker.example.net.', /not a valid DNS name/],
  ['mqtt://bro_ker.example.net', /not a valid DNS name/],
  ['mqtt://broker example', /not a valid DNS name/],
  ['mqtt://-oProxyCommand=x', /not a valid DNS name/],
  ['mqtt://broker,fork.example', /not a valid DNS name/],
  [`mqtt://${'a'.repeat(64)}.example`, /not a valid DNS name/],
  [`mqtt://${'a.'.repeat(130)}example`, /too long|not a valid DNS name/],
  [' mqtt://broker.example.net', /expected mqtt:\/\/host/],
  ['mqtt://broker.example.net ', /not a valid DNS name|port/],
];

for (const [url, why] of bad)
  test(`rejects ${JSON.stringify(url)}`, () => {
    try {
      parseBrokerUrl(url);
    } catch (error) {
      assert.instance(error, InputError);
      assert.is((error as InputError).code, 'invalid_broker_url');
      assert.match((error as InputError).message, why);
      // The value is quoted in the message (cut at 80 characters).
      assert.ok((error as InputError).message.includes(JSON.stringify(url).slice(0, 60)));
      return;
    }
    assert.unreachable(`accepted ${url}`);
  });

test.run();
