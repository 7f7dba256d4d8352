// A private mosquitto for the MQTT tests, listening on 127.0.0.1/::1 only.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { track } from './processes.ts';
import { waitFor, within } from './waits.ts';

export interface Mosquitto {
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Starts mosquitto with this configuration (listeners...) and waits until `ports` accept. */
export async function startMosquitto(
  dir: string,
  config: string,
  ports: readonly { host: string; port: number }[],
): Promise<Mosquitto> {
  const logFile = join(dir, 'mosquitto.log');
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    // `user`: as root, mosquitto would switch to user "mosquitto", who cannot read this directory.
    `user ${userInfo().username}\nlog_dest file ${logFile}\nlog_type all\npersistence false\n${config}`,
  );
  const child = track(
    spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await within(exited, 3000);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    for (const { host, port } of ports)
      await waitFor(`mosquitto on ${host}:${port}`, () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}${log()}`);
        return log().includes(`listen socket on port ${port}`) ? true : undefined;
      });
    await waitFor('mosquitto running', () => (log().includes(' running') ? true : undefined));
  } catch (error) {
    await stop();
    throw error;
  }
  return { log, stop };
}

/** mosquitto_passwd -b: a password file with one user. */
export function passwordFile(dir: string, user: string, password: string): string {
  const file = join(dir, 'passwd');
  writeFileSync(file, '');
  execFileSync('mosquitto_passwd', ['-b', file, user, password]);
  return file;
}
