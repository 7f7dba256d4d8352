// A desired state from the ISP: checked (size, signature, device, expiry, version) before
// anything expensive, stored on flash before it is acknowledged, then enforced and answered.
// A version never goes back, and one version never means two contents.
import { parseDesiredEnvelope, versionHint } from '../remote/desired-message.ts';
import { desiredFromObject, type DesiredState } from '../remote/desired-state.ts';
import { desiredReply } from '../remote/messages.ts';
import { payloadText } from '../remote/payload-text.ts';
import type { EffectivePolicy } from '../policy/effective-policy.ts';
import type { ControlHost } from './control-host.ts';
import { saveDesired } from './desired-store.ts';

function sameDesired(a: DesiredState, b: DesiredState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function refuseDesired(
  host: ControlHost,
  version: number | null,
  error: unknown,
): Promise<void> {
  const object = host.fail(error, 'desired state rejected');
  await host.reply(desiredReply(version, object));
  void host.reporter.request();
}

export async function handleDesired(
  host: ControlHost,
  payload: Uint8Array,
  size: number,
): Promise<void> {
  let version: number;
  let body: Readonly<Record<string, unknown>>;
  try {
    // Size, signature, device, expiry and version: nothing expensive before they passed.
    const text = payloadText(payload, size);
    ({ version, body } = parseDesiredEnvelope(text, size, host.claimsContext()));
  } catch (error) {
    return refuseDesired(host, versionHint(error), error);
  }
  const current = host.desired;
  if (current && version < current.version) {
    const message = `version ${version} is older than the applied version ${current.version}; ignored`;
    host.log.warn(message);
    await host.reply(desiredReply(version, { code: 'stale_version', message }));
    return;
  }
  let desired: DesiredState;
  let effective: EffectivePolicy;
  try {
    desired = desiredFromObject(body);
    effective = host.wan.effectiveFor(desired);
  } catch (error) {
    return refuseDesired(host, version, error);
  }
  if (current && desired.version === current.version) {
    if (sameDesired(desired, current))
      await host.reply(desiredReply(desired.version, null, 'already applied'));
    else {
      const message = `version ${desired.version} is already applied with other content; ignored`;
      host.log.warn(message);
      await host.reply(desiredReply(desired.version, { code: 'version_conflict', message }));
    }
    return;
  }
  try {
    // On flash before it is acknowledged: a reboot right after the reply keeps it.
    await saveDesired(host.runtime, host.config.agent.stateDir, desired);
  } catch (error) {
    // Still on the last applied state: enforcement is unchanged.
    const object = host.fail(error, 'cannot store the desired state');
    await host.reply(desiredReply(desired.version, object));
    void host.reporter.request();
    return;
  }
  host.desired = desired;
  host.effective = effective;
  const enforced = await host.enforce();
  await host.reply(desiredReply(desired.version, enforced ? null : host.lastErrorObject()));
  void host.reporter.request();
}
