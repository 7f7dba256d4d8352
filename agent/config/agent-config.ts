// The agent's configuration, read from a UCI file (/etc/config/op25b by default).
import { InputError } from '../input-error.ts';
import { parseInterfaceName } from '../openwrt/wan-devices.ts';
import { parsePolicy } from '../policy/parse-policy.ts';
import type { Policy } from '../policy/policy.ts';
import {
  agentSettingsFromUci,
  mqttSettingsFromUci,
  type AgentSettings,
  type MqttSettings,
} from './daemon-settings.ts';
import { firewallSettings, type FirewallSettings } from './firewall-settings.ts';
import { findSection, listValues, optionValue, type UciPackage } from './uci-parse.ts';

export { DEFAULT_CONFIG_PATH } from './firewall-settings.ts';
export type { BackendChoice, FirewallSettings, IptablesVariant } from './firewall-settings.ts';

export interface AgentConfig {
  /** The policy from the config file: what is enforced until the ISP sends a desired state. */
  readonly policy: Policy;
  /** `list wan_interface`: logical interfaces whose devices count as WAN; null when unset. */
  readonly wanInterfaces: readonly string[] | null;
  readonly firewall: FirewallSettings;
  readonly agent: AgentSettings;
  /** null: no broker configured, the agent enforces offline. */
  readonly mqtt: MqttSettings | null;
  /** Things worth a log line that do not stop the agent (unknown options, say). */
  readonly warnings: readonly string[];
}

const POLICY_OPTIONS = [
  'enabled',
  'action',
  'port',
  'allow',
  'wan_device',
  'wan_interface',
  'family',
  'backend',
  'iptables_variant',
];

// parsePolicy's errors name the value ("invalid port \"0\": ..."), whatever the source; read
// from the config they name the section and option too, as the other sections' errors do.
const POLICY_ERRORS: Record<string, [RegExp, string]> = {
  invalid_boolean: [/^invalid enabled /, 'enabled'],
  invalid_action: [/^invalid action /, 'action'],
  invalid_port: [/^invalid port /, 'port'],
  invalid_address: [/^invalid address /, 'allow'],
  invalid_device: [/^invalid device name /, 'wan_device'],
  invalid_family: [/^invalid family /, 'family'],
};

function inPolicySection(error: unknown): unknown {
  const known = error instanceof InputError ? POLICY_ERRORS[error.code] : undefined;
  if (!known || !known[0].test((error as InputError).message)) return error;
  const { code, message } = error as InputError;
  return new InputError(code, message.replace(known[0], `invalid policy.${known[1]} `));
}

export function configFromUci(pkg: UciPackage): AgentConfig {
  const section = findSection(pkg, 'policy', 'policy');
  const warnings: string[] = [];
  if (!section) warnings.push('no `config policy` section: using the default policy (block on)');
  for (const key of section?.options.keys() ?? [])
    if (!POLICY_OPTIONS.includes(key)) warnings.push(`unknown option policy.${key} ignored`);
  let policy: Policy;
  try {
    policy = parsePolicy({
      enabled: optionValue(section, 'enabled'),
      action: optionValue(section, 'action'),
      ports: listValues(section, 'port'),
      allow: listValues(section, 'allow'),
      wanDevices: listValues(section, 'wan_device'),
      families: listValues(section, 'family'),
    });
  } catch (error) {
    throw inPolicySection(error);
  }
  const interfaces = listValues(section, 'wan_interface');
  const firewall = firewallSettings(section);
  const agent = agentSettingsFromUci(pkg);
  const mqtt = mqttSettingsFromUci(pkg);
  return {
    policy,
    wanInterfaces: interfaces.length ? [...new Set(interfaces.map(parseInterfaceName))] : null,
    firewall,
    agent: agent.settings,
    mqtt: mqtt.settings,
    warnings: [...warnings, ...agent.warnings, ...mqtt.warnings],
  };
}
