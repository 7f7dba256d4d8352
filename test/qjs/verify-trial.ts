// The agent's key loading (agent/remote/public-key.ts) and JWS verification (agent/remote/jws.ts)
// under QuickJS, for test/mqtt/strict-signatures.test.ts: bundled by test/qjs/build-trial.ts into
// dist/test/verify-trial.js and run as `dist/qjs dist/test/verify-trial.js CASES.json`, where the
// file holds [{keyFile, token}, ...]. Prints one JSON array: 'ok' or the refusal's code per case.
import '../../agent/runtime/quickjs/globals.ts';
import * as std from 'std';
import { InputError } from '../../agent/input-error.ts';
import { verifyJws } from '../../agent/remote/jws.ts';
import { parseVerifyKeys } from '../../agent/remote/public-key.ts';

const cases = JSON.parse(std.loadFile(scriptArgs[1] ?? '') ?? '[]') as {
  keyFile: string;
  token: string;
}[];
const outcomes = cases.map(({ keyFile, token }) => {
  try {
    verifyJws(token, parseVerifyKeys(keyFile));
    return 'ok';
  } catch (error) {
    return error instanceof InputError ? error.code : `thrown: ${String(error)}`;
  }
});
std.out.puts(`${JSON.stringify(outcomes)}\n`);
std.out.flush();
