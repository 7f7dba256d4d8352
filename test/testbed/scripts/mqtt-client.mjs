// An MQTT client (MQTT.js) for the ISP's side of the tests, run inside a namespace with
// `ip netns exec`, driven over stdin/stdout with one JSON object per line.
// usage: node mqtt-client.mjs
// Requests (stdin): {"seq":1,"op":"connect","url":"mqtts://203.0.113.10:8883","options":{...}}
//   options: clientId, username, password, protocolVersion, ca/cert/key (file paths),
//            connectTimeout (ms); the client never reconnects by itself.
//   {"seq":2,"op":"subscribe","topic":"op25b/v1/+/reply","qos":1}
//   {"seq":3,"op":"publish","topic":"...","payload":"...","retain":true,"qos":1}
//     ("fill": {"char":"x","size":1048576} instead of payload makes a large payload here;
//     "byte": 255 in it fills with that byte instead)
//   {"seq":4,"op":"end"}
// Answers (stdout): {"seq":1,"ok":true,...} or {"seq":1,"ok":false,"error":"..."}.
// Events (stdout): {"event":"message","topic","payload","retain","qos","bytes"},
//   {"event":"close"}, {"event":"error","message"}.
// Exits when its standard input closes (so it never outlives the test process) or on SIGTERM.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';

let client = null;

function send(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

function tlsOptions(options) {
  const out = {};
  for (const key of ['ca', 'cert', 'key'])
    if (options[key] !== undefined) out[key] = readFileSync(options[key]);
  // The broker is addressed by IP: verify the certificate's IP SAN, never skip verification.
  if (out.ca) out.rejectUnauthorized = true;
  return out;
}

async function connect({ url, options = {} }) {
  if (client) client.end(true);
  const { ca, cert, key, ...rest } = options;
  client = mqtt.connect(url, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...rest,
    ...tlsOptions({ ca, cert, key }),
  });
  const own = client;
  own.on('message', (topic, payload, packet) =>
    send({
      event: 'message',
      topic,
      payload: payload.length > 65536 ? `<${payload.length} bytes>` : payload.toString('utf8'),
      bytes: payload.length,
      retain: packet.retain,
      qos: packet.qos,
    }),
  );
  own.on('close', () => own === client && send({ event: 'close' }));
  own.on('error', (error) => own === client && send({ event: 'error', message: error.message }));
  return new Promise((resolve) => {
    const done = (result) => {
      own.off('connect', onConnect);
      own.off('error', onError);
      own.off('close', onClose);
      resolve(result);
    };
    const onConnect = (connack) =>
      done({ ok: true, returnCode: connack.returnCode ?? connack.reasonCode ?? 0 });
    const onError = (error) => done({ ok: false, error: error.message, code: error.code });
    const onClose = () => done({ ok: false, error: 'closed before CONNACK' });
    own.on('connect', onConnect);
    own.on('error', onError);
    own.on('close', onClose);
  });
}

function need() {
  if (!client || !client.connected) throw new Error('not connected');
  return client;
}

async function handle(request) {
  switch (request.op) {
    case 'connect':
      return connect(request);
    case 'subscribe': {
      const granted = await need().subscribeAsync(request.topic, { qos: request.qos ?? 1 });
      return { ok: true, granted: granted.map((g) => ({ topic: g.topic, qos: g.qos })) };
    }
    case 'publish': {
      const payload =
        request.fill !== undefined
          ? Buffer.alloc(request.fill.size, request.fill.byte ?? request.fill.char)
          : request.payload;
      const packet = await need().publishAsync(request.topic, payload, {
        qos: request.qos ?? 1,
        retain: request.retain ?? false,
      });
      return { ok: true, reasonCode: packet?.reasonCode ?? null };
    }
    case 'end':
      if (client) await client.endAsync();
      client = null;
      return { ok: true };
    default:
      throw new Error(`unknown op ${JSON.stringify(request.op)}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    send({ event: 'error', message: `bad request line ${JSON.stringify(line.slice(0, 80))}` });
    return;
  }
  handle(request).then(
    (result) => send({ seq: request.seq, ...result }),
    (error) => send({ seq: request.seq, ok: false, error: error.message, code: error.code }),
  );
});
lines.on('close', () => {
  if (client) client.end(true);
  process.exit(0);
});
process.on('SIGTERM', () => process.exit(0));
