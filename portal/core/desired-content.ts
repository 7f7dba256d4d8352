// The content of the next desired state for an action: the current desired fields with the
// action's change laid over them, validated and made canonical by the agent's own parser
// (agent/remote/desired-state.ts), so the portal never signs what a router would refuse.
import { desiredFromObject } from '../../agent/remote/desired-state.ts';
import { InputError } from '../../agent/input-error.ts';
import type { DesiredDoc } from '../../contract/message-types.ts';
import type { ActionKind, PolicyChange } from './action.ts';

/** A desired state without its version. */
export type DesiredFields = Omit<DesiredDoc, 'version'>;

export class ContentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `current`: the fields of the latest desired state published for the router, or null (then
 * `enabledNow`, the router's reported policy.enabled, or true, is the base).
 */
export function nextDesiredFields(
  kind: ActionKind,
  current: DesiredFields | null,
  enabledNow: boolean | null,
  change: PolicyChange | undefined,
): DesiredFields {
  const base: DesiredFields = current ?? { enabled: enabledNow ?? true };
  const enabled = kind === 'enable' ? true : kind === 'disable' ? false : base.enabled;
  if (kind !== 'enable' && kind !== 'disable' && kind !== 'policy')
    throw new ContentError('not_desired', `${kind} is a command, not a desired state`);
  if (kind === 'policy' && (change === undefined || Object.keys(change).length === 0))
    throw new ContentError('empty_policy', 'a policy change needs action, allow or ports');
  const merged: Record<string, unknown> = { ...base, ...(kind !== 'disable' && change), enabled };
  try {
    const { version: _version, ...fields } = desiredFromObject({ version: 0, ...merged });
    return fields;
  } catch (error) {
    if (error instanceof InputError) throw new ContentError(error.code, error.message);
    throw error;
  }
}

/** Same content as the agent compares it (the fields are canonical already). */
export function sameDesiredFields(a: DesiredFields, b: DesiredFields): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(fields: DesiredFields): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).sort(([x], [y]) => (x < y ? -1 : 1)));
}
