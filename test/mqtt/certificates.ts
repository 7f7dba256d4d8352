// Test certificates made with openssl (P-256, two days): a CA and leaves it signs, for the TLS
// tests here and the test bed's broker (test/testbed/broker.ts).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** `name`.crt and `name`.key in `dir`: a CA whose subject is CN=`cn`. */
export function makeCa(dir: string, name: string, cn = name): void {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
}

/** `name`.crt and `name`.key in `dir`: a leaf signed by the CA `ca`, subject CN=`cn`. */
export function makeLeaf(
  dir: string,
  name: string,
  ca: string,
  san: string,
  usage: string,
  cn = name,
): void {
  openssl(dir, [
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`,
  ]); // prettier-ignore
  writeFileSync(
    join(dir, `${name}.ext`),
    `basicConstraints=CA:FALSE\nsubjectAltName=${san}\nextendedKeyUsage=${usage}\n`,
  );
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
    '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
  ]); // prettier-ignore
}

/**
 * In `dir`: ca.crt with server.crt (localhost, 127.0.0.1, ::1) and client.crt; other-name.crt from
 * the same CA for another name; evil-ca.crt, an unrelated CA, with evil-server.crt for localhost.
 */
export function makeCertificates(dir: string): void {
  const localhost = 'DNS:localhost,IP:127.0.0.1,IP:::1';
  makeCa(dir, 'ca');
  makeLeaf(dir, 'server', 'ca', localhost, 'serverAuth');
  makeLeaf(dir, 'client', 'ca', 'DNS:op25b-client', 'clientAuth');
  makeLeaf(dir, 'other-name', 'ca', 'DNS:broker.example', 'serverAuth');
  makeCa(dir, 'evil-ca');
  makeLeaf(dir, 'evil-server', 'evil-ca', localhost, 'serverAuth');
}
