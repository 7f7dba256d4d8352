// The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. The tests check every
// route of the app is here (and the reverse) and validate real responses against it.
import { accountPaths, sessionPaths } from './openapi-account-paths.ts';
import { controlPaths } from './openapi-control-paths.ts';
import { fleetPaths } from './openapi-fleet-paths.ts';
import { errors, type Json } from './openapi-operations.ts';
import { componentSchemas } from './openapi-schemas.ts';

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
      ...sessionPaths(),
      ...fleetPaths(),
      ...controlPaths(),
      ...accountPaths(),
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
