// The fleet's read paths of the OpenAPI document: the list with its filters, sort and paging
// (also as CSV), the counts, blocked packets, and one router with its history.
import { BACKENDS } from '../../contract/message-types.ts';
import { DEFAULT_QUERY, MAX_LIMIT, SORT_KEYS } from '../core/fleet-query.ts';
import { BOOTS_KEPT } from '../core/router-views.ts';
import { boolQ, errors, get, idParam, intQ, param, type Json } from './openapi-operations.ts';

const fleetFilters = [
  param('q', 'query', { type: 'string', maxLength: 200 }, 'Search in id, model, board, release'),
  boolQ('online', 'Online by the boot-id rule'),
  boolQ('enabled', 'Policy enabled'),
  boolQ('applied', 'Rules applied in the kernel'),
  param('backend', 'query', { type: 'string', enum: [...BACKENDS] }, 'Firewall backend'),
  param('wan_proto', 'query', { type: 'string' }, 'WAN protocol (pppoe, dhcp, static, ...)'),
  param('model', 'query', { type: 'string' }, 'Exact model'),
  boolQ('has_error', 'Has a last error'),
  boolQ('not_reporting', 'No status for more than two report intervals'),
  boolQ('trouble', 'Drifted or erroring: rules not applied, or a last error'),
  intQ('blocked_min', 'At least this many blocked packets in the window'),
  intQ(
    'blocked_hours',
    `Window of blocked counts, hours (default ${DEFAULT_QUERY.blockedHours})`,
    1,
    2160,
  ),
];
const sortParam = param(
  'sort',
  'query',
  { type: 'string', enum: SORT_KEYS.flatMap((k) => [k, `-${k}`]) },
  'Sort key, - for descending',
);
export const paging = [
  intQ('offset', 'Skip this many'),
  intQ('limit', `Page size (default ${DEFAULT_QUERY.limit})`, 1, MAX_LIMIT),
];

export function fleetPaths(): Json {
  return {
    '/routers': get('Fleet list: paged, sorted, filtered, searched', 'RouterList', [
      ...paging,
      sortParam,
      ...fleetFilters,
    ]),
    '/export/routers.csv': {
      get: {
        summary: 'The fleet list as CSV (formula-safe cells), every matching router',
        parameters: [sortParam, ...fleetFilters],
        responses: {
          '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errors(400, 401),
        },
      },
    },
    '/summary': get('Fleet counts', 'FleetSummary'),
    '/blocked': get('Fleet-wide blocked packets per hour', 'HourBuckets', [
      intQ('hours', 'Hours back (default 24)', 1, 2160),
    ]),
    '/blocked/series': get(
      'Blocked packets per hour of each listed router (the fleet table sparklines)',
      'BlockedSeries',
      [
        {
          ...param('ids', 'query', { type: 'string' }, 'Router ids, comma-separated (1..1000)'),
          required: true,
        },
        intQ('hours', 'Hours back (default 24)', 1, 168),
      ],
    ),
    '/top-blocked': get(
      'Routers with the most blocked packets, with their top LAN sources',
      'TopBlocked',
      [
        intQ('hours', 'Hours back (default 24)', 1, 2160),
        intQ('limit', 'How many (default 20)', 1, 1000),
      ],
    ),
    '/routers/{id}': get('One router', 'RouterDetail', [idParam], [404]),
    '/routers/{id}/blocked': get(
      'Blocked packets per hour',
      'HourBuckets',
      [idParam, intQ('hours', 'Hours back (default 24)', 1, 2160)],
      [404],
    ),
    '/routers/{id}/boots': get(
      `Ended runs of the agent (boot ids) and how each ended, newest first; the last ${BOOTS_KEPT} are kept`,
      'BootHistory',
      [
        idParam,
        intQ('limit', `How many (default ${BOOTS_KEPT})`, 1, BOOTS_KEPT),
        intQ('offset', 'How many to skip', 0, BOOTS_KEPT),
      ],
      [404],
    ),
    '/routers/{id}/actions': get(
      'Desired states and commands sent, newest first',
      'ActionRecords',
      [idParam, intQ('limit', 'How many (default 50)', 1, 1000)],
      [404],
    ),
  };
}
