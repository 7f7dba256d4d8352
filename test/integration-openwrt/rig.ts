// What the OpenWrt integration tests share, kept importable from this one path: the agent's
// files and processes, the devices the kernel rules name, a WAN link that comes and goes, and a
// LAN prober. Each piece lives in its own file.
export { agentFiles, type AgentFiles } from './agent-files.ts';
export { agentEnv, runAgent, startDaemon, type Daemon } from './agent-process.ts';
export { kernelDevices, waitForDevices } from './kernel-devices.ts';
export { startProber, type Prober, type ProbeRecord } from './lan-prober.ts';
export { WanLink } from './wan-link.ts';
