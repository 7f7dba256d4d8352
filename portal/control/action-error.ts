// A refused request: nothing was allocated, signed or published. `code` is stable (the HTTP layer
// maps forbidden to 403, not_found to 404, the rest to 400).
export type ActionErrorCode =
  | 'forbidden'
  | 'reason_required'
  | 'no_targets'
  | 'invalid_policy'
  | 'invalid_rollout'
  | 'not_found'
  | 'invalid_state';

export class ActionError extends Error {
  constructor(
    readonly code: ActionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}
