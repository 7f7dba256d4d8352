// Where the packager finds the repository, the feed package and the agent bundle.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PACKAGE_DIR = join(REPO_ROOT, 'openwrt', 'op25b-agent');
export const BUNDLE = join(REPO_ROOT, 'dist', 'op25b-agent.js');
