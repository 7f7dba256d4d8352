// The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. The tests check every
// route of the app is here (and the reverse) and validate real responses against it.
import { BACKENDS } from '../../contract/message-types.ts';
import { DEFAULT_QUERY, MAX_LIMIT, SORT_KEYS } from '../core/fleet-query.ts';
import { ACTION_STATUSES } from '../core/action.ts';
import { BOOTS_KEPT } from '../core/router-views.ts';
import { componentSchemas } from './openapi-schemas.ts';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: string, description = 'OK') => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), json('Error', ERROR_TEXT[code])]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request (the message says which value)',
  401: 'No or bad credentials',
  403: 'Role too low, or a CSRF check failed',
  404: 'Not found',
  409: 'Conflict',
  415: 'The body is not application/json',
  429: 'Too many failed logins (Retry-After)',
};
const body = (schema: string) => ({
  required: true,
  content: { 'application/json': { schema: ref(schema) } },
});
const param = (name: string, where: 'query' | 'path', schema: Json, description: string) => ({
  name,
  in: where,
  required: where === 'path',
  schema,
  description,
});
const idParam = param('id', 'path', { type: 'string' }, 'Router id');
const boolQ = (name: string, description: string) =>
  param(name, 'query', { type: 'boolean' }, description);
const intQ = (name: string, description: string, min = 0, max?: number) =>
  param(
    name,
    'query',
    { type: 'integer', minimum: min, ...(max !== undefined && { maximum: max }) },
    description,
  );

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
const paging = [
  intQ('offset', 'Skip this many'),
  intQ('limit', `Page size (default ${DEFAULT_QUERY.limit})`, 1, MAX_LIMIT),
];

const get = (
  summary: string,
  response: string,
  parameters: unknown[] = [],
  extraErrors: number[] = [],
) => ({
  get: {
    summary,
    parameters,
    responses: { '200': json(response), ...errors(400, 401, ...extraErrors) },
  },
});
const post = (
  summary: string,
  request: string | null,
  response: string,
  status = 200,
  extraErrors: number[] = [],
) => ({
  summary,
  ...(request && { requestBody: body(request) }),
  responses: { [String(status)]: json(response), ...errors(400, 401, 403, 415, ...extraErrors) },
});

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'op25b portal API',
      version: '1',
      description:
        'Fleet service of the OP25B agent. Authenticate with `Authorization: Bearer <token>` or a session cookie from POST /login (then send X-CSRF-Token on changes).',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'op25b_session' },
      },
      schemas: componentSchemas(),
    },
    paths: {
      '/login': {
        post: {
          ...post(
            'Start a session (sets HttpOnly cookies)',
            'LoginRequest',
            'LoginResponse',
            200,
            [429],
          ),
          security: [],
        },
      },
      '/logout': { post: post('End the session', null, 'Ok') },
      '/me': get('Who am I', 'Me'),
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
      '/accounts': {
        ...get('Accounts (admin)', 'Accounts', [], [403]),
        post: post('Add an account (admin)', 'NewAccount', 'Account', 201, [409]),
      },
      '/accounts/{name}': {
        patch: {
          ...post(
            'Change role, disabled flag or password (admin)',
            'AccountChange',
            'Account',
            200,
            [404],
          ),
          parameters: [param('name', 'path', { type: 'string' }, 'Account name')],
        },
      },
      '/tokens': {
        ...get('API tokens (admin; never the tokens themselves)', 'Tokens', [], [403]),
        post: post(
          'Make an API token acting as an account (admin); the token is shown once',
          'NewToken',
          'TokenCreated',
          201,
          [404],
        ),
      },
      '/tokens/{id}': {
        delete: {
          ...post('Revoke a token (admin)', 'Reason', 'Ok', 200, [404]),
          parameters: [param('id', 'path', { type: 'integer' }, 'Token id')],
        },
      },
      '/events': {
        get: {
          summary: 'Server-sent events: hello, router, reply, rollout (data is JSON)',
          responses: {
            '200': {
              description: 'SSE',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(401),
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: {
            '200': {
              description: 'OpenAPI 3.1',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            ...errors(401),
          },
        },
      },
    },
  };
}
