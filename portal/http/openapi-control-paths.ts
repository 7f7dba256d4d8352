// The paths of the OpenAPI document that change routers and record it: actions, staged
// rollouts and their control, and the audit log.
import { ACTION_STATUSES } from '../core/action.ts';
import { get, intQ, param, post, type Json } from './openapi-operations.ts';
import { paging } from './openapi-fleet-paths.ts';

export function controlPaths(): Json {
  return {
    '/actions': {
      post: post(
        'Act on one router, a list, a filter or all (operator)',
        'ActionRequest',
        'ActionResult',
        200,
        [409],
      ),
    },
    '/rollouts': {
      ...get('Rollouts', 'Rollouts'),
      post: post('Start a staged rollout (operator)', 'RolloutRequest', 'Rollout', 201, [409]),
    },
    '/rollouts/{id}': get(
      'One rollout',
      'Rollout',
      [param('id', 'path', { type: 'string' }, 'Rollout id')],
      [404],
    ),
    '/rollouts/{id}/actions': get(
      "The rollout's requests and the routers' replies, in wave then router order",
      'RolloutActionRecords',
      [
        param('id', 'path', { type: 'string' }, 'Rollout id'),
        intQ('wave', 'Only this wave (0-based)', 0, 19),
        param(
          'status',
          'query',
          { type: 'string', enum: [...ACTION_STATUSES] },
          'Only requests in this status',
        ),
        intQ('limit', 'How many (default 100)', 1, 1000),
        intQ('offset', 'How many to skip'),
      ],
      [404],
    ),
    ...Object.fromEntries(
      (['pause', 'resume', 'abort'] as const).map((verb) => [
        `/rollouts/{id}/${verb}`,
        {
          post: {
            ...post(
              `${verb[0]!.toUpperCase()}${verb.slice(1)} a rollout (operator)`,
              'Reason',
              'Rollout',
              200,
              [404, 409],
            ),
            parameters: [param('id', 'path', { type: 'string' }, 'Rollout id')],
          },
        },
      ]),
    ),
    '/audit': get('Audit log, newest first', 'AuditList', [
      param('operator', 'query', { type: 'string' }, 'Who'),
      param('action', 'query', { type: 'string' }, 'e.g. disable, rollout.start, account.add'),
      param('router', 'query', { type: 'string' }, 'Entries that touched this router'),
      param('since', 'query', { type: 'string', format: 'date-time' }, 'From (inclusive)'),
      param('until', 'query', { type: 'string', format: 'date-time' }, 'To (exclusive)'),
      ...paging,
    ]),
  };
}
