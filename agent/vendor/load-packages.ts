// The npm packages (packages.js says why they sit behind one door). Only the daemon's code calls
// this, so in the QuickJS bundle they travel in the daemon's chunk, which only `run` loads
// (daemon/load-daemon.ts).
import { packages, type Packages } from './packages.js';

export type { Packages };

export function loadPackages(): Packages {
  return packages;
}
