// The ISP's side of signed control: make an Ed25519 key pair, sign desired states and commands
// for one router, and publish a signed desired state (docs/mqtt-contract.md, "Driving a router
// from a shell"). Tokens are JWS compact with alg EdDSA; their claims are the message's fields
// plus `sub` (the device id), `iat` and `exp`. Everything is checked with the agent's own parsers
// before a token is printed or published; on any error nothing is printed to stdout and nothing
// is published, and the exit code is 2 (bad input) or 1 (anything else).
import { readFileSync } from 'node:fs';
import { InputError } from '../agent/input-error.ts';
import { TOPIC_PREFIX } from '../agent/config/daemon-settings.ts';
import { DEFAULT_TOPIC_PREFIX } from '../contract/topics.ts';
import {
  checkFlags,
  decimal,
  optional,
  parseFlags,
  required,
  UsageError,
  type Flags,
} from './sign/flags.ts';
import { keygen } from './sign/keygen.ts';
import { publishDesired } from './sign/publish.ts';
import {
  checkDevice,
  DEFAULT_TTL_S,
  desiredClaims,
  MAX_TTL_S,
  signCommand,
  signDesired,
  signingKey,
  type DesiredFields,
} from './sign/tokens.ts';

const USAGE = `usage: op25b-sign <verb> [flags]   (npm run -s sign -- <verb> [flags])

  keygen --out DIR [--force]
      a new key pair: DIR/private.pem (0600, keep it outside any checkout) and DIR/public.pem
      (agent.verify_key_file on routers); an existing pair is replaced only with --force
  desired --key PRIVATE.pem --device ID --version N --enabled 1|0
          [--action drop|reject] [--allow ADDR]... [--port N]... [--ttl SECONDS]
      print a signed desired state (ttl default 30 days)
  publish --broker mqtt[s]://HOST[:PORT] --key PRIVATE.pem --device ID --enabled 1|0
          [--version N] [--action ...] [--allow ADDR]... [--port N]... [--ttl SECONDS]
          [--username U] [--password-file F] [--ca-file F] [--cert-file F --key-file F]
          [--prefix ${DEFAULT_TOPIC_PREFIX}] [--wait SECONDS (default 10, 0: do not wait)]
      sign a desired state and publish it retained (QoS 1) to PREFIX/ID/desired, then print the
      router's reply; without --version, one more than the newest version the broker retains for
      the router (its status or desired state). Nothing is published on any error.
  cmd --key PRIVATE.pem --device ID --id ID --op report|verify|reapply [--ttl SECONDS]
      print a signed command (ttl default 300, at most 3600)

exit codes: 0 ok, 1 failure (or a refusing reply), 2 bad input, 3 no reply within --wait
`;

const DESIRED_FLAGS = [
  'key',
  'device',
  'version',
  'enabled',
  'action',
  'allow',
  'port',
  'ttl',
  'kid',
];
const CONNECTION_FLAGS = [
  'broker',
  'username',
  'password-file',
  'ca-file',
  'cert-file',
  'key-file',
  'prefix',
  'wait',
];
const REPEATABLE = ['allow', 'port'];

function desiredFields(flags: Flags): DesiredFields {
  const enabled = required(flags, 'enabled');
  if (enabled !== '1' && enabled !== '0') throw new UsageError('--enabled must be 1 or 0');
  const action = optional(flags, 'action');
  return {
    enabled: enabled === '1',
    ...(action !== undefined && { action }),
    ...(flags.values.has('allow') && { allow: flags.values.get('allow')! }),
    ...(flags.values.has('port') && { ports: flags.values.get('port')! }),
  };
}

function ttl(flags: Flags, kind: 'desired' | 'cmd'): number {
  const text = optional(flags, 'ttl');
  return text === undefined ? DEFAULT_TTL_S[kind] : decimal(text, 'ttl', 1, MAX_TTL_S[kind]);
}

const version = (text: string) => decimal(text, 'version', 0, Number.MAX_SAFE_INTEGER);
function key(flags: Flags) {
  const path = required(flags, 'key');
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--key ${path}: ${(error as Error).message}`);
  }
  return signingKey(pem, optional(flags, 'kid'));
}
const out = (text: string) => process.stdout.write(text);

async function main(flags: Flags): Promise<number> {
  switch (flags.verb) {
    case 'keygen': {
      checkFlags(flags, ['out', 'force']);
      const files = keygen(required(flags, 'out'), flags.switches.has('force'));
      out(
        `${files.privateFile} (keep it secret)\n${files.publicFile} (agent.verify_key_file on routers)\n`,
      );
      return 0;
    }
    case 'desired': {
      checkFlags(flags, DESIRED_FLAGS, REPEATABLE);
      const device = checkDevice(required(flags, 'device'));
      const claims = desiredClaims(desiredFields(flags), version(required(flags, 'version')));
      const { token } = await signDesired(key(flags), device, claims, ttl(flags, 'desired'));
      out(`${token}\n`);
      return 0;
    }
    case 'publish': {
      checkFlags(flags, [...DESIRED_FLAGS, ...CONNECTION_FLAGS], REPEATABLE);
      const device = checkDevice(required(flags, 'device'));
      const fields = desiredFields(flags);
      desiredClaims(fields, 0); // every field checked before connecting
      const signing = key(flags);
      const lifetime = ttl(flags, 'desired');
      const prefix = optional(flags, 'prefix') ?? DEFAULT_TOPIC_PREFIX;
      if (!TOPIC_PREFIX.test(prefix))
        throw new UsageError(
          `--prefix ${JSON.stringify(prefix)}: expected topic levels without wildcards`,
        );
      const waitText = optional(flags, 'wait');
      const waitS = waitText === undefined ? 10 : decimal(waitText, 'wait', 0, 3600);
      const given = optional(flags, 'version');
      const connection = {
        broker: required(flags, 'broker'),
        prefix,
        device,
        username: optional(flags, 'username'),
        passwordFile: optional(flags, 'password-file'),
        caFile: optional(flags, 'ca-file'),
        certFile: optional(flags, 'cert-file'),
        keyFile: optional(flags, 'key-file'),
      };
      const result = await publishDesired(
        connection,
        given === undefined ? undefined : version(given),
        async (v) => (await signDesired(signing, device, desiredClaims(fields, v), lifetime)).token,
        waitS,
        (line) => process.stderr.write(`op25b-sign: ${line}\n`),
      );
      out(`published version ${result.version} to ${result.topic} (retained)\n`);
      if (waitS === 0) return 0;
      if (!result.reply) {
        process.stderr.write(
          `op25b-sign: no reply within ${waitS} s (is the router online?); the state stays retained\n`,
        );
        return 3;
      }
      out(`${JSON.stringify(result.reply)}\n`);
      return result.reply.ok === true ? 0 : 1;
    }
    case 'cmd': {
      checkFlags(flags, ['key', 'device', 'id', 'op', 'ttl', 'kid']);
      const device = checkDevice(required(flags, 'device'));
      const token = await signCommand(
        key(flags),
        device,
        required(flags, 'id'),
        required(flags, 'op'),
        ttl(flags, 'cmd'),
      );
      out(`${token}\n`);
      return 0;
    }
    case '':
      throw new UsageError('missing verb (keygen, desired, publish or cmd)');
    default:
      throw new UsageError(
        `unknown verb ${JSON.stringify(flags.verb)} (keygen, desired, publish or cmd)`,
      );
  }
}

async function run(argv: readonly string[]): Promise<number> {
  try {
    const flags = parseFlags(argv);
    if (flags.switches.has('help')) {
      out(USAGE);
      return 0;
    }
    return await main(flags);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const input = error instanceof UsageError || error instanceof InputError;
    process.stderr.write(`op25b-sign: error: ${message}${input ? ' (op25b-sign --help)' : ''}\n`);
    return input ? 2 : 1;
  }
}

process.exitCode = await run(process.argv.slice(2));
