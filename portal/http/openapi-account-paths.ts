// Who is calling and who may: the session paths of the OpenAPI document (login, logout, me)
// and the admin's accounts and API tokens.
import { get, param, post, type Json } from './openapi-operations.ts';

export function sessionPaths(): Json {
  return {
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
  };
}

export function accountPaths(): Json {
  return {
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
  };
}
