// Changes the service announces (the HTTP layer turns them into server-sent events).
import type { ActionRecord } from './action.ts';
import type { RolloutRecord } from './rollout.ts';

export type FleetEvent =
  | { readonly type: 'router'; readonly id: string }
  | { readonly type: 'reply'; readonly routerId: string; readonly record: ActionRecord }
  | { readonly type: 'rollout'; readonly rollout: RolloutRecord };
