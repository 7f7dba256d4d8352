// How the OpenAPI document (openapi.ts) writes an operation: JSON bodies by schema name, the
// error answers with their usual meaning, query and path parameters, GET and POST operations.
export type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: string, description = 'OK') => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});
export const errors = (...codes: number[]) =>
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
export const param = (
  name: string,
  where: 'query' | 'path',
  schema: Json,
  description: string,
) => ({
  name,
  in: where,
  required: where === 'path',
  schema,
  description,
});
export const idParam = param('id', 'path', { type: 'string' }, 'Router id');
export const boolQ = (name: string, description: string) =>
  param(name, 'query', { type: 'boolean' }, description);
export const intQ = (name: string, description: string, min = 0, max?: number) =>
  param(
    name,
    'query',
    { type: 'integer', minimum: min, ...(max !== undefined && { maximum: max }) },
    description,
  );

export const get = (
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
export const post = (
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
