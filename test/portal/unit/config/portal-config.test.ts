import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../../../portal/config/config-error.ts';
import {
  loadPortalConfig,
  parsePortalConfig,
  PORTAL_OPTIONS,
} from '../../../../portal/config/portal-config.ts';

function refuses(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a ConfigError matching ${pattern}`);
}

test('defaults: 127.0.0.1:8080, PGlite in data/portal, op25b/v1', () => {
  const c = parsePortalConfig(undefined, {});
  assert.equal(c.listen, { host: '127.0.0.1', port: 8080 });
  assert.is(c.dataDir, 'data/portal');
  assert.is(c.databaseUrl, undefined);
  assert.is(c.topicPrefix, 'op25b/v1');
  assert.is(c.mqtt.url, 'mqtt://127.0.0.1:1883');
  assert.is(c.reportIntervalS, 300);
  assert.equal(c.allowedOrigins, []);
  assert.not.ok('shareGroup' in c.mqtt);
});

test('environment variables set the fixed entry-point options', () => {
  const c = parsePortalConfig(undefined, {
    MQTT_URL: 'mqtts://broker.example:8883',
    DATABASE_URL: 'postgres://u@/db?host=/tmp',
    PORTAL_DATA: '/var/lib/portal',
    PORTAL_LISTEN: '[::1]:9000',
    PORTAL_SIGNING_KEY: '/etc/portal/key.pem',
    PORTAL_TOPIC_PREFIX: 'isp/op25b',
    MQTT_SHARE_GROUP: 'portal',
    PORTAL_ALLOWED_ORIGINS: 'https://noc.example, https://noc2.example:8443',
  });
  assert.is(c.mqtt.url, 'mqtts://broker.example:8883');
  assert.is(c.databaseUrl, 'postgres://u@/db?host=/tmp');
  assert.is(c.dataDir, '/var/lib/portal');
  assert.equal(c.listen, { host: '::1', port: 9000 });
  assert.is(c.signingKeyFile, '/etc/portal/key.pem');
  assert.is(c.topicPrefix, 'isp/op25b');
  assert.is(c.mqtt.shareGroup, 'portal');
  assert.equal(c.allowedOrigins, ['https://noc.example', 'https://noc2.example:8443']);
});

test('the file sets options; env wins over the file; empty env counts as unset', () => {
  const file = {
    mqtt: { url: 'mqtt://file:1883', username: 'u', password: 'p' },
    reportIntervalS: 60,
    listen: '0.0.0.0:80',
  };
  const c = parsePortalConfig(file, { MQTT_URL: 'mqtt://env:1883', PORTAL_LISTEN: '' });
  assert.is(c.mqtt.url, 'mqtt://env:1883');
  assert.is(c.mqtt.username, 'u');
  assert.is(c.reportIntervalS, 60);
  assert.equal(c.listen, { host: '0.0.0.0', port: 80 });
});

test('bad values are refused with the option named', () => {
  refuses(
    () => parsePortalConfig(undefined, { PORTAL_LISTEN: '8080' }),
    /PORTAL_LISTEN: "8080" must be host:port/,
  );
  refuses(() => parsePortalConfig(undefined, { PORTAL_LISTEN: 'h:70000' }), /PORTAL_LISTEN/);
  refuses(
    () => parsePortalConfig(undefined, { MQTT_URL: 'http://x' }),
    /MQTT_URL: .* must use mqtt/,
  );
  refuses(
    () => parsePortalConfig(undefined, { PORTAL_TOPIC_PREFIX: 'op25b/#' }),
    /PORTAL_TOPIC_PREFIX/,
  );
  refuses(
    () => parsePortalConfig(undefined, { PORTAL_TOPIC_PREFIX: '/op25b' }),
    /PORTAL_TOPIC_PREFIX/,
  );
  refuses(
    () => parsePortalConfig(undefined, { DATABASE_URL: 'mysql://x' }),
    /DATABASE_URL: must start with postgres/,
  );
  refuses(
    () => parsePortalConfig(undefined, { PORTAL_REPORT_INTERVAL_S: '5m' }),
    /PORTAL_REPORT_INTERVAL_S: must be an integer/,
  );
  refuses(() => parsePortalConfig(undefined, { PORTAL_REPORT_INTERVAL_S: '0' }), /from 1 to/);
  refuses(() => parsePortalConfig(undefined, { MQTT_SHARE_GROUP: 'a/b' }), /MQTT_SHARE_GROUP/);
  refuses(() => parsePortalConfig(undefined, { MQTT_CERT: 'c.pem' }), /go together/);
  refuses(() => parsePortalConfig(undefined, { MQTT_PASSWORD: 'p' }), /needs mqtt.username/);
  refuses(
    () => parsePortalConfig(undefined, { PORTAL_ALLOWED_ORIGINS: 'https://x/path' }),
    /not an origin/,
  );
  refuses(
    () => parsePortalConfig(undefined, { PORTAL_RESIGN_BEFORE_S: '700000' }),
    /less than desiredTtlS/,
  );
});

test('the file is strict: unknown keys, wrong types and non-objects are refused', () => {
  refuses(
    () => parsePortalConfig({ listne: '1.2.3.4:1' }, {}, 'p.json'),
    /p.json: unknown option listne/,
  );
  refuses(() => parsePortalConfig({ mqtt: { uri: 'x' } }, {}, 'p.json'), /unknown option mqtt.uri/);
  refuses(() => parsePortalConfig({ mqtt: 'mqtt://x' }, {}, 'p.json'), /mqtt must be an object/);
  refuses(
    () => parsePortalConfig({ reportIntervalS: '300s' }, {}, 'p.json'),
    /p.json: reportIntervalS/,
  );
  refuses(
    () => parsePortalConfig({ dataDir: 7 }, {}, 'p.json'),
    /dataDir: must be a non-empty string/,
  );
  refuses(() => parsePortalConfig([], {}, 'p.json'), /must hold a JSON object/);
});

test('loadPortalConfig reads --config or PORTAL_CONFIG and reports unreadable or bad JSON', () => {
  const files: Record<string, string> = { 'a.json': '{"reportIntervalS": 42}', 'bad.json': '{' };
  const read = (p: string) => {
    const s = files[p];
    if (s === undefined) throw new Error('ENOENT');
    return s;
  };
  const a = loadPortalConfig({}, ['--config', 'a.json', 'rest'], read);
  assert.is(a.config.reportIntervalS, 42);
  assert.equal(a.rest, ['rest']);
  assert.is(loadPortalConfig({ PORTAL_CONFIG: 'a.json' }, [], read).config.reportIntervalS, 42);
  refuses(
    () => loadPortalConfig({}, ['--config=missing.json'], read),
    /cannot read config file "missing.json"/,
  );
  refuses(() => loadPortalConfig({}, ['--config=bad.json'], read), /bad.json: not valid JSON/);
  refuses(() => loadPortalConfig({}, ['--config'], read), /--config needs a file name/);
});

test('every option has an env var or a file key documented once', () => {
  const envs = PORTAL_OPTIONS.map((o) => o.env).filter((e) => e !== undefined);
  assert.is(new Set(envs).size, envs.length);
  for (const o of PORTAL_OPTIONS) assert.ok(o.description.length > 5, o.key);
});

test('docs/portal.md documents every option with its env var and default', () => {
  const doc = readFileSync(new URL('../../../../docs/portal.md', import.meta.url), 'utf8');
  for (const o of PORTAL_OPTIONS) {
    const row = doc
      .split('\n')
      .find((line) => line.replace(/\s+/g, ' ').startsWith(`| \`${o.key}\` |`));
    assert.ok(row, `no row for ${o.key}`);
    if (o.env) assert.ok(row.includes(`\`${o.env}\``), `${o.key}: ${o.env}`);
    if (o.default && o.default !== '(none)')
      assert.ok(row.includes(`\`${o.default}\``), `${o.key}: ${o.default}`);
  }
});

test.run();
