// Typed bindings over the `ubus` command line tool: call, send and listen. Arguments go to ubus
// as JSON in one argv element (never through a shell); `-S` gives compact JSON on success and
// the plain status as the exit code on failure, which becomes a UbusError.
import type { Runtime } from '../runtime/runtime.ts';
import { listenUbus, type ListenOptions, type UbusListener } from './ubus-listen.ts';
import type { UbusEvent } from './ubus-event.ts';
import { DEFAULT_TIMEOUT_S, ubusCommand } from './ubus-command.ts';
import { failureOfExit, UbusError } from './ubus-status.ts';

export interface CallOptions {
  /** ubus's own timeout (`-t`), in seconds. Default 5. */
  readonly timeoutS?: number;
}

export interface Ubus {
  /** The method's reply (parsed JSON; null when it replied without data). */
  call(
    object: string,
    method: string,
    args?: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<unknown>;
  send(type: string, data?: Readonly<Record<string, unknown>>): Promise<void>;
  /** A long-running `ubus listen`, restarted when it ends, until stop(). */
  listen(
    types: readonly string[],
    handler: (event: UbusEvent) => void,
    options?: ListenOptions,
  ): UbusListener;
}

// Object paths, methods and event types: nothing ubus's getopt or a reader could misread.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:@*-]{0,127}$/;

function checked(name: string): string {
  if (!NAME.test(name)) throw new UbusError('INVALID_ARGUMENT', `name ${JSON.stringify(name)}`);
  return name;
}

export function createUbus(runtime: Runtime): Ubus {
  const run = async (argv: string[], what: string, timeoutS: number): Promise<string> => {
    const command = ubusCommand(argv, timeoutS);
    const result = await runtime.run(command.argv, { timeoutMs: command.timeoutMs });
    if (result.timedOut) throw new UbusError('TIMEOUT', what);
    if (result.code !== 0) throw new UbusError(failureOfExit(result.code), what);
    return result.stdout.trim();
  };
  return {
    async call(object, method, args, { timeoutS = DEFAULT_TIMEOUT_S } = {}) {
      const argv = ['call', checked(object), checked(method)];
      if (args) argv.push(JSON.stringify(args));
      const what = `call ${object} ${method}`;
      const text = await run(argv, what, Math.max(1, Math.ceil(timeoutS)));
      if (text === '') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new UbusError('BAD_OUTPUT', what);
      }
    },
    async send(type, data = {}) {
      await run(['send', checked(type), JSON.stringify(data)], `send ${type}`, DEFAULT_TIMEOUT_S);
    },
    listen(types, handler, options) {
      return listenUbus(runtime, types.map(checked), handler, options);
    },
  };
}
