// Query-string values other than the fleet list's (those are portal/core/fleet-query.ts):
// unknown names are refused, numbers and times parsed strictly.
import { badRequest } from './http-error.ts';

type Params = Readonly<Record<string, string>>;

export function onlyParams(params: Params, allowed: readonly string[]): void {
  for (const name of Object.keys(params))
    if (!allowed.includes(name)) throw badRequest(`unknown parameter ${name}`, 'bad_query');
}

export function intParam(
  params: Params,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw badRequest(`${name} must be an integer ${min}..${max}`, 'bad_query');
  return value;
}

export function timeParam(params: Params, name: string): Date | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  const time = /^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:\d\d)?)?$/.test(text) ? new Date(text) : null;
  if (!time || Number.isNaN(time.getTime()))
    throw badRequest(`${name} must be an ISO date or time`, 'bad_query');
  return time;
}

export function textParam(params: Params, name: string, pattern: RegExp): string | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  if (!pattern.test(text)) throw badRequest(`${name} has an invalid value`, 'bad_query');
  return text;
}
