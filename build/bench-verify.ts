// QuickJS entry for `npm run bench`: verifies one EdDSA JWS N times with the agent's own code
// (agent/remote/jws.ts) and prints the first verification's time and the mean of the N after it,
// in ms. Bundled by bench-verify-qjs.ts;
// usage: qjs bench-verify.js <input.json> <N>, input {"token": "...", "key": [32 bytes]}.
import '../agent/runtime/quickjs/globals.ts';
import * as std from 'std';
import { verifyJws } from '../agent/remote/jws.ts';

const [, inputPath = '', countText = '100'] = scriptArgs;
const input = JSON.parse(std.loadFile(inputPath) ?? 'null') as { token: string; key: number[] };
const keys = [{ kid: null, key: new Uint8Array(input.key) }];
const count = Number(countText);
// The first verification builds the tables of the base point and of the key (ed25519-verify.js).
const first = Date.now();
verifyJws(input.token, keys);
const firstMs = Date.now() - first;
const start = Date.now();
for (let i = 0; i < count; i++) verifyJws(input.token, keys);
const ms = (Date.now() - start) / count;
std.out.puts(`${firstMs.toFixed(2)} ${ms.toFixed(2)}\n`);
std.out.flush();
