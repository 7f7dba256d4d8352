// Which TLS client programs could carry the daemon's MQTT bytes instead of `openssl s_client`
// (issue 10, section 4; docs/budgets.md, "Other TLS clients"). Each program found on this machine
// is run as the agent runs its transport, a byte pipe on stdin/stdout, against a local TLS
// mosquitto: it must pass CONNECT/CONNACK and, after an idle window, PINGREQ/PINGRESP, with
// nothing else on stdout; its RSS, PSS and anonymous memory (smaps_rollup) and its largest
// mappings (smaps) are read while it is idle and connected. Then the refusals: an unknown CA, a
// certificate for another host name or address, a broker that wants a client certificate the
// program was not given. A trial, not a test: `node --import tsx build/trial-tls-clients.ts
// [program...]`; MICROPYTHON=/path/to/micropython adds MicroPython with build/trial-tls-pipe.py.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { memoryKb, read } from './proc-tree.ts';

const IDLE_MS = Number(process.env.TRIAL_IDLE_MS ?? 5000);
const PORT = { good: 18871, otherName: 18872, wantsCert: 18873 };
const CONNACK = Buffer.from([0x20, 2, 0, 0]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Case {
  readonly port: number;
  readonly ca: 'ca' | 'other-ca';
  /** The name the certificate must carry: a DNS name or an IP address. */
  readonly name: string;
  readonly clientCert: boolean;
  readonly expect: 'connect' | 'refuse';
}

const CASES: Record<string, Case> = {
  'DNS name': { port: PORT.good, ca: 'ca', name: 'localhost', clientCert: false, expect: 'connect' },
  'IP address': { port: PORT.good, ca: 'ca', name: '127.0.0.1', clientCert: false, expect: 'connect' },
  'client certificate': { port: PORT.wantsCert, ca: 'ca', name: 'localhost', clientCert: true, expect: 'connect' },
  'unknown CA': { port: PORT.good, ca: 'other-ca', name: 'localhost', clientCert: false, expect: 'refuse' },
  'other host name': { port: PORT.otherName, ca: 'ca', name: 'localhost', clientCert: false, expect: 'refuse' },
  'other IP address': { port: PORT.otherName, ca: 'ca', name: '127.0.0.1', clientCert: false, expect: 'refuse' },
  'no client certificate': { port: PORT.wantsCert, ca: 'ca', name: 'localhost', clientCert: false, expect: 'refuse' },
}; // prettier-ignore

type Argv = (c: Case, dir: string) => string[];
const ip = (c: Case) => /^[\d.]+$/.test(c.name);
const certFiles = (dir: string) => [join(dir, 'client.crt'), join(dir, 'client.key')] as const;

/** Each candidate's argv for a case: CA file, the name to check, SNI, client certificate. */
const PROGRAMS: Record<string, Argv> = {
  'openssl s_client': (c, dir) => [
    'openssl', 's_client', '-quiet', '-verify', '8', '-verify_return_error', '-no_ign_eof', '-nocommands',
    ...(ip(c) ? ['-verify_ip', c.name, '-noservername'] : ['-verify_hostname', c.name, '-servername', c.name]),
    '-CAfile', join(dir, `${c.ca}.crt`),
    ...(c.clientCert ? ['-cert', certFiles(dir)[0], '-key', certFiles(dir)[1]] : []),
    '-connect', `127.0.0.1:${c.port}`,
  ],
  'gnutls-cli': (c, dir) => [
    'gnutls-cli', '--logfile=/dev/stderr', `--x509cafile=${join(dir, `${c.ca}.crt`)}`,
    `--verify-hostname=${c.name}`, ...(ip(c) ? [] : [`--sni-hostname=${c.name}`]),
    ...(c.clientCert ? [`--x509certfile=${certFiles(dir)[0]}`, `--x509keyfile=${certFiles(dir)[1]}`] : []),
    `--port=${c.port}`, '127.0.0.1',
  ],
  stunnel: (c, dir) => {
    // inetd mode (no `accept`): the service is stdin/stdout. Its configuration must be a file.
    const conf = join(dir, `stunnel-${c.port}-${c.ca}-${c.name}-${c.clientCert}.conf`);
    const lines = ['foreground = yes', 'syslog = no', 'output = /dev/stderr', 'pid =', 'client = yes',
      `connect = 127.0.0.1:${c.port}`, `CAfile = ${join(dir, `${c.ca}.crt`)}`, 'verifyChain = yes',
      ip(c) ? `checkIP = ${c.name}` : `checkHost = ${c.name}`, ...(ip(c) ? [] : [`sni = ${c.name}`]),
      ...(c.clientCert ? [`cert = ${certFiles(dir)[0]}`, `key = ${certFiles(dir)[1]}`] : [])];
    writeFileSync(conf, `${lines.join('\n')}\n`);
    return ['stunnel', conf];
  },
  ncat: (c, dir) => [
    'ncat', '-4', '--ssl', '--ssl-verify', '--ssl-trustfile', join(dir, `${c.ca}.crt`),
    ...(c.clientCert ? ['--ssl-cert', certFiles(dir)[0], '--ssl-key', certFiles(dir)[1]] : []),
    c.name, String(c.port), // ncat checks the certificate against the host it connects to
  ],
  socat: (c, dir) => [
    'socat', '-',
    `OPENSSL:127.0.0.1:${c.port},cafile=${join(dir, `${c.ca}.crt`)},verify=1,commonname=${c.name}` +
      (c.clientCert ? `,cert=${certFiles(dir)[0]},key=${certFiles(dir)[1]}` : ''),
  ],
  micropython: (c, dir) => [
    process.env.MICROPYTHON ?? 'micropython', join(import.meta.dirname, 'trial-tls-pipe.py'),
    '127.0.0.1', String(c.port), c.name, join(dir, `${c.ca}.crt`),
    ...(c.clientCert ? certFiles(dir) : []),
  ],
}; // prettier-ignore

function makeCertificates(dir: string): void {
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  for (const ca of ['ca', 'other-ca'])
    ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']); // prettier-ignore
  const leaf = (name: string, san: string, usage: string) => {
    ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]); // prettier-ignore
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${usage}\n`);
    ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
      '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]); // prettier-ignore
  };
  leaf('server', 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
  leaf('elsewhere', 'DNS:broker.example,IP:127.0.0.2', 'serverAuth');
  leaf('client', 'DNS:router-1', 'clientAuth');
}

function brokerConfig(dir: string): string {
  const listener = (port: number, leaf: string, extra: string[] = []) => [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', `cafile ${join(dir, 'ca.crt')}`,
    `certfile ${join(dir, `${leaf}.crt`)}`, `keyfile ${join(dir, `${leaf}.key`)}`, ...extra,
  ]; // prettier-ignore
  return [
    'per_listener_settings true',
    'persistence false',
    'user root',
    ...listener(PORT.good, 'server'),
    ...listener(PORT.otherName, 'elsewhere'),
    ...listener(PORT.wantsCert, 'server', ['require_certificate true']),
    '',
  ].join('\n');
}

/** The largest mappings of a process by RSS (KB), from /proc/<pid>/smaps. */
function mappings(pid: number): string {
  const byName = new Map<string, number>();
  let name = '';
  for (const line of (read(`/proc/${pid}/smaps`) ?? '').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) name = header[1] ? basename(header[1]) : '[anon]';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]));
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .filter(([, kb]) => kb >= 100)
    .map(([n, kb]) => `${n} ${kb}`)
    .join(', ');
}

const connectPacket = (clientId: string) => {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([
    Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60, 0, id.length]),
    id,
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
};

async function until(done: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await sleep(20);
}

/** Runs one program for one case; measures it when `measure` and it connected. */
async function runCase(program: string, label: string, dir: string, measure: boolean) {
  const c = CASES[label]!;
  const argv = PROGRAMS[program]!(c, dir);
  const errFile = join(dir, 'stderr.txt'); // a file, not a socket: programs open /dev/stderr
  const errFd = openSync(errFile, 'w');
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', errFd] });
  closeSync(errFd);
  let out = Buffer.alloc(0);
  let exit: string | null = null;
  child.stdout!.on('data', (chunk: Buffer) => (out = Buffer.concat([out, chunk])));
  child.on('exit', (code, signal) => (exit = String(code ?? signal)));
  child.on('error', () => (exit = 'not started'));
  child.stdin!.on('error', () => {});
  child.stdin!.write(connectPacket(`trial-${label.replace(/\W/g, '')}`));
  await until(() => exit !== null || out.includes(CONNACK), 5000);
  const connected = out.includes(CONNACK);
  let detail = '';
  if (connected && measure) {
    await sleep(IDLE_MS);
    const mem = exit === null ? memoryKb(child.pid!) : null;
    const before = out.length;
    child.stdin!.write(Buffer.from([0xc0, 0])); // PINGREQ
    await until(() => out.length >= before + 2, 2000);
    const pong = out.subarray(before).equals(Buffer.from([0xd0, 0]));
    detail =
      (mem
        ? `RSS ${mem.rss} / PSS ${mem.pss} / anon ${mem.anon} KB; ${mappings(child.pid!)}; `
        : '') +
      `stdout only the broker's bytes: ${out.length === 6 && out.subarray(0, 4).equals(CONNACK)}; ` +
      `PINGRESP after idle: ${pong}`;
  }
  child.stdin!.end();
  const eofAt = Date.now();
  await until(() => exit !== null, 3000);
  if (connected)
    detail += `; ends at EOF on stdin: ${exit === null ? 'no' : `yes (${Date.now() - eofAt} ms)`}`;
  if (exit === null) child.kill('SIGKILL');
  await until(() => exit !== null, 2000);
  const stderr = (readFileSync(errFile, 'utf8').trim().split('\n').pop() ?? '').slice(0, 160);
  const right = (c.expect === 'connect') === connected;
  const verdict = `${right ? 'as required' : 'WRONG'} (${connected ? 'connected' : 'refused'})`;
  return `${program} | ${label}: ${verdict}; exit ${exit}${detail ? `; ${detail}` : ''}${!connected && stderr ? `; stderr: ${stderr}` : ''}`;
}

function installed(program: string): boolean {
  const command =
    program === 'micropython' ? (process.env.MICROPYTHON ?? program) : program.split(' ')[0]!;
  return (
    execFileSync('sh', ['-c', 'command -v "$1" || true', 'sh', command], { encoding: 'utf8' }) !==
    ''
  );
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'op25b-tls-trial-'));
  makeCertificates(dir);
  writeFileSync(join(dir, 'mosquitto.conf'), brokerConfig(dir));
  const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  try {
    await sleep(500);
    console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    for (const program of Object.keys(PROGRAMS)) {
      if (wanted.length > 0 && !wanted.includes(program)) continue;
      if (program === 'micropython' && !process.env.MICROPYTHON && wanted.length === 0) continue;
      if (!installed(program)) {
        console.log(`${program}: not installed`);
        continue;
      }
      for (const label of Object.keys(CASES))
        console.log(await runCase(program, label, dir, CASES[label]!.expect === 'connect'));
    }
    console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  } finally {
    broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
