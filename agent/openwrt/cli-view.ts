// What the one-shot commands (apply, verify, status, print) learn from OpenWrt: the devices of
// the WAN interfaces, added to the policy's wan_device list, and what the router is. Without a
// `ubus` program nothing changes: the config's wan_device list stands alone.
import type { AgentContext } from '../cli/agent-context.ts';
import { readWanDevices } from '../daemon/run-files.ts';
import type { EffectivePolicy } from '../policy/effective-policy.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { DeviceReport } from '../status/status-report.ts';
import { queryInterfaces } from './netifd-query.ts';
import { boardReport } from './system-board.ts';
import { createUbus } from './ubus.ts';
import { mergeDevices, wanInterfaces, wanView, withWanDevices } from './wan-devices.ts';

export interface OpenWrtView {
  readonly effective: EffectivePolicy;
  /** model, board, release and wan_proto for the status document (empty without ubus). */
  readonly device: Omit<DeviceReport, 'id'>;
  /** The WAN devices from netifd and from the running daemon's list. */
  readonly wanDevices: readonly string[];
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const warn = (runtime: Runtime, text: string): void =>
  runtime.writeStderr(`op25b: warn: ${text}\n`);

export async function openWrtView(
  runtime: Runtime,
  { config, effective }: AgentContext,
  withBoard = false,
): Promise<OpenWrtView> {
  const configured = config.wanInterfaces;
  if (!runtime.findExecutable('ubus')) {
    if (configured)
      warn(runtime, 'wan_interface needs ubus, which is missing: using wan_device only');
    return { effective, device: {}, wanDevices: [] };
  }
  const ubus = createUbus(runtime);
  const names = wanInterfaces(configured, true);
  let view = wanView([], []);
  try {
    view = wanView(await queryInterfaces(ubus, names), names);
    if (configured && view.missing.length)
      warn(runtime, `WAN interface not known to netifd: ${view.missing.join(', ')}`);
  } catch (error) {
    warn(runtime, `cannot read the WAN interfaces (${errorText(error)}): using wan_device only`);
  }
  const device = {
    ...(withBoard && (await boardReport(ubus))),
    ...(view.proto && { wanProto: view.proto }),
  };
  // Devices the running daemon has seen stay in: a one-shot apply (the firewall include, say)
  // while a WAN interface is down must not take its device out of the daemon's rules.
  const wanDevices = mergeDevices(view.devices, readWanDevices(runtime, config.agent.runDir));
  return {
    effective: { ...effective, policy: withWanDevices(effective.policy, wanDevices) },
    device,
    wanDevices,
  };
}
