// The JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the API's bodies. The MQTT documents a
// router record holds are the contract's own schemas from schemas/, embedded, not copied.
import { BACKENDS } from '../../contract/message-types.ts';
import { loadSchema } from '../../contract/validate.ts';
import { BOOT_ENDS } from '../core/router-views.ts';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', minimum: 0 };
const bool: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const obj = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});
const list = (item: Schema, total = false): Schema =>
  total
    ? obj({ items: { type: 'array', items: item }, total: int })
    : obj({ items: { type: 'array', items: item } });
const oneOf = (...values: string[]): Schema => ({ type: 'string', enum: values });

const role = oneOf('viewer', 'operator', 'admin');
const actionKind = oneOf('enable', 'disable', 'policy', 'reapply', 'verify', 'report');
const errorDoc = obj({ code: str, message: str });
const topSource = obj({ address: str, attempts: int });

const routerSummaryProps: Record<string, Schema> = {
  id: str,
  online: bool,
  boot: nullable(str),
  agentVersion: nullable(str),
  model: nullable(str),
  board: nullable(str),
  release: nullable(str),
  wanProto: nullable(str),
  enabled: nullable(bool),
  appliedVersion: nullable(int),
  policySource: nullable(oneOf('config', 'remote')),
  action: nullable(oneOf('drop', 'reject')),
  applied: nullable(bool),
  backend: nullable(oneOf(...BACKENDS)),
  drift: { type: 'array', items: str },
  lastError: nullable(errorDoc),
  desiredVersion: nullable(int),
  desiredEnabled: nullable(bool),
  firstSeen: time,
  lastSeen: time,
  lastStatusAt: nullable(time),
  notReporting: bool,
  blocked: int,
};

const policyChange = obj(
  {
    action: oneOf('drop', 'reject'),
    allow: { type: 'array', items: str, maxItems: 256 },
    ports: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 65535 }, minItems: 1 },
  },
  ['action', 'allow', 'ports'],
);

const target: Schema = {
  oneOf: [
    obj({ id: str }),
    obj({ ids: { type: 'array', items: str, minItems: 1 } }),
    obj({
      filter: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    }),
    obj({ all: { const: true } }),
  ],
};

const actionRequestProps: Record<string, Schema> = {
  action: actionKind,
  reason: { type: 'string', minLength: 1, maxLength: 500 },
  target,
  policy: policyChange,
};

const wave = obj({
  index: int,
  size: int,
  state: oneOf('pending', 'sent', 'done'),
  ok: int,
  errors: int,
  missing: int,
  failed: int,
  startedAt: nullable(time),
  finishedAt: nullable(time),
});

const actionRecordProps = {
  id: int,
  routerId: str,
  kind: oneOf('desired', 'command'),
  action: actionKind,
  version: nullable(int),
  commandId: nullable(str),
  content: { type: 'object' },
  operator: str,
  reason: str,
  rolloutId: nullable(str),
  status: oneOf('sent', 'ok', 'error', 'no reply', 'pending: router offline', 'failed'),
  reply: nullable(ref('ReplyDoc')),
  sentAt: time,
  repliedAt: nullable(time),
};

export function componentSchemas(): Record<string, Schema> {
  return {
    Error: obj({ error: obj({ code: str, message: str }) }),
    Ok: obj({ ok: { const: true } }),
    Operator: obj({ name: str, role }),
    LoginRequest: obj({ name: str, password: str }),
    LoginResponse: obj({ operator: ref('Operator'), csrfToken: str }),
    Me: obj({ operator: ref('Operator'), via: oneOf('token', 'session') }),
    RouterSummary: obj(routerSummaryProps),
    RouterList: obj(
      {
        items: { type: 'array', items: ref('RouterSummary') },
        total: int,
        // true: total is the database's estimate (more than a few thousand match)
        totalEstimated: bool,
      },
      ['totalEstimated'],
    ),
    RouterDetail: obj({
      ...routerSummaryProps,
      presenceSince: nullable(time),
      bootSeenAt: nullable(time),
      state: nullable(ref('StateDoc')),
      status: nullable(ref('StatusDoc')),
      topSources: { type: 'array', items: topSource },
    }),
    FleetSummary: obj({
      routers: int,
      online: int,
      enforcing: int,
      disabled: int,
      driftedOrErroring: int,
      notReporting: int,
    }),
    HourBuckets: list(obj({ hour: time, blocked: int })),
    BlockedSeries: list(obj({ id: str, blocked: { type: 'array', items: int } })),
    TopBlocked: list(
      obj({
        id: str,
        model: nullable(str),
        blocked: int,
        topSources: { type: 'array', items: topSource },
      }),
    ),
    BootHistory: list(
      obj({
        boot: str,
        agentVersion: nullable(str),
        firstSeen: nullable(time),
        endedAt: time,
        endedBy: oneOf(...BOOT_ENDS),
      }),
      true,
    ),
    ActionRecord: obj(actionRecordProps),
    ActionRecords: list(ref('ActionRecord')),
    RolloutActionRecords: list(obj({ ...actionRecordProps, wave: int }), true),
    ActionRequest: obj(actionRequestProps, ['policy']),
    ActionResult: obj({
      action: actionKind,
      requested: int,
      published: int,
      pending: int,
      failed: int,
      outcomes: {
        type: 'array',
        items: obj(
          { routerId: str, ok: bool, pending: bool, version: int, commandId: str, error: str },
          ['pending', 'version', 'commandId', 'error'],
        ),
      },
    }),
    RolloutRequest: obj(
      {
        ...actionRequestProps,
        waves: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
        max_error_share: { type: 'number', minimum: 0, maximum: 1 },
        max_missing_share: { type: 'number', minimum: 0, maximum: 1 },
        wave_timeout_ms: { type: 'integer', minimum: 100 },
      },
      ['policy', 'waves', 'max_error_share', 'max_missing_share', 'wave_timeout_ms'],
    ),
    Rollout: obj({
      id: str,
      action: actionKind,
      reason: str,
      operator: str,
      policy: nullable(policyChange),
      state: oneOf('running', 'paused', 'halted', 'aborted', 'done'),
      haltReason: nullable(str),
      total: int,
      currentWave: int,
      waves: { type: 'array', items: wave },
      maxErrorShare: { type: 'number' },
      maxMissingShare: { type: 'number' },
      waveTimeoutMs: int,
      createdAt: time,
      updatedAt: time,
    }),
    Rollouts: list(ref('Rollout')),
    Reason: obj({ reason: { type: 'string', minLength: 1, maxLength: 500 } }),
    AuditRecord: obj(
      {
        id: int,
        at: time,
        operator: str,
        action: str,
        routers: { type: 'array', items: str },
        routerCount: int,
        reason: str,
        outcome: str,
        detail: {},
      },
      ['detail'],
    ),
    AuditList: list(ref('AuditRecord'), true),
    Account: obj({ name: str, role, disabled: bool, createdAt: time }),
    Accounts: list(ref('Account')),
    NewAccount: obj({ name: str, role, password: str, reason: str }, ['password']),
    AccountChange: obj({ role, disabled: bool, password: str, reason: str }, [
      'role',
      'disabled',
      'password',
    ]),
    TokenInfo: obj({
      id: int,
      account: str,
      label: str,
      createdAt: time,
      lastUsedAt: nullable(time),
      revoked: bool,
    }),
    Tokens: list(ref('TokenInfo')),
    NewToken: obj({ account: str, label: str, reason: str }, ['label']),
    TokenCreated: obj({ token: str, info: ref('TokenInfo') }),
    StateDoc: loadSchema('state'),
    StatusDoc: loadSchema('status'),
    ReplyDoc: loadSchema('reply'),
  };
}
