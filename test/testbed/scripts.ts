// Paths of the small Node programs the test bed runs inside namespaces.
import { fileURLToPath } from 'node:url';

const script = (name: string): string =>
  fileURLToPath(new URL(`./scripts/${name}`, import.meta.url));

export const LISTEN_SCRIPT = script('listen.mjs');
export const PROBE_SCRIPT = script('probe.mjs');
export const HOLD_SCRIPT = script('hold.mjs');
/** The Node binary running the tests runs the helpers too. */
export const NODE = process.execPath;
