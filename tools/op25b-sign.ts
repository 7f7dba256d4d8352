// The ISP's side of signed control: make an Ed25519 key pair, and sign desired states and
// commands for one router, so that a shell can drive a router:
//
//   npm run sign -- keygen --out /etc/op25b-isp            # private.pem, public.pem (-> router)
//   mosquitto_pub -r -t op25b/v1/<id>/desired \
//     -m "$(npm run -s sign -- desired --key private.pem --device <id> --version 8 --enabled 1)"
//   mosquitto_pub -t op25b/v1/<id>/cmd \
//     -m "$(npm run -s sign -- cmd --key private.pem --device <id> --id c42 --op verify)"
//
// Tokens are JWS compact with alg EdDSA; their claims are the message's fields plus `sub` (the
// device id), `iat` and `exp` (docs/mqtt-contract.md).
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const USAGE = `usage:
  op25b-sign keygen --out DIR
  op25b-sign desired --key PRIVATE.pem --device ID --version N --enabled 1|0
                     [--action drop|reject] [--allow ADDR]... [--port N]...
                     [--ttl SECONDS (default 30 days)] [--kid KID]
  op25b-sign cmd --key PRIVATE.pem --device ID --id ID --op report|verify|reapply
                 [--ttl SECONDS (default 300, at most 3600)] [--kid KID]
  --kid names the key in the JWS header, for routers with several keys (docs/security.md)
`;

type Args = Map<string, string[]>;

function parse(argv: string[]): { command: string; args: Args } {
  const [command = '', ...rest] = argv;
  const args: Args = new Map();
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i]!;
    const value = rest[i + 1];
    if (!key.startsWith('--') || value === undefined) throw new Error(`bad argument ${key}`);
    args.set(key.slice(2), [...(args.get(key.slice(2)) ?? []), value]);
  }
  return { command, args };
}

function one(args: Args, key: string, fallback?: string): string {
  const value = args.get(key)?.[0] ?? fallback;
  if (value === undefined) throw new Error(`--${key} is required`);
  return value;
}

// A desired state is retained and read again at every reconnect: it lives for weeks (its version
// already stops replays). A command is one-shot: minutes, and routers refuse more than an hour.
const DEFAULT_TTL_S = { desired: 30 * 86400, cmd: 300 };

async function sign(
  args: Args,
  kind: keyof typeof DEFAULT_TTL_S,
  claims: Record<string, unknown>,
): Promise<string> {
  const key = await importPKCS8(readFileSync(one(args, 'key'), 'utf8'), 'EdDSA');
  const ttl = Number(one(args, 'ttl', String(DEFAULT_TTL_S[kind])));
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl must be a positive integer');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', ...(args.has('kid') && { kid: one(args, 'kid') }) })
    .setSubject(one(args, 'device'))
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .sign(key);
}

async function main(argv: string[]): Promise<void> {
  const { command, args } = parse(argv);
  switch (command) {
    case 'keygen': {
      const out = one(args, 'out');
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'private.pem'), await exportPKCS8(privateKey), { mode: 0o600 });
      writeFileSync(join(out, 'public.pem'), await exportSPKI(publicKey));
      process.stdout.write(
        `${join(out, 'private.pem')} (keep it secret)\n${join(out, 'public.pem')} (agent.verify_key_file on routers)\n`,
      );
      return;
    }
    case 'desired': {
      const enabled = one(args, 'enabled');
      if (enabled !== '1' && enabled !== '0') throw new Error('--enabled must be 1 or 0');
      const claims: Record<string, unknown> = {
        version: Number(one(args, 'version')),
        enabled: enabled === '1',
      };
      if (args.has('action')) claims.action = one(args, 'action');
      if (args.has('allow')) claims.allow = args.get('allow');
      if (args.has('port')) claims.ports = args.get('port')!.map(Number);
      process.stdout.write(`${await sign(args, 'desired', claims)}\n`);
      return;
    }
    case 'cmd':
      process.stdout.write(
        `${await sign(args, 'cmd', { id: one(args, 'id'), op: one(args, 'op') })}\n`,
      );
      return;
    default:
      throw new Error(command ? `unknown command ${command}` : 'missing command');
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `op25b-sign: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
  );
  process.exit(2);
});
