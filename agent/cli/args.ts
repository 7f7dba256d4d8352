// Command-line parsing: `op25b-agent <command> [--config FILE]`.
import { DEFAULT_CONFIG_PATH } from '../config/firewall-settings.ts';
import { InputError, quoteValue } from '../input-error.ts';

export const COMMANDS = [
  'run',
  'apply',
  'verify',
  'remove',
  'status',
  'print',
  'version',
  'help',
  'json-string',
] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  readonly command: Command;
  readonly configPath: string;
  /** apply only: rewrite the rules even when the kernel already holds them. */
  readonly force: boolean;
  /** json-string only: the text to print as a JSON string (whatever it holds). */
  readonly text?: string;
}

export const USAGE = `usage: op25b-agent <command> [--config FILE]

commands:
  run       the daemon: enforce, follow the ISP over MQTT, repair rules, report status
  apply     make the kernel enforce the configured policy (and cut open port-25 flows)
  verify    compare the kernel with the policy; exit 3 and list the drift if they differ
  remove    delete every rule, chain, set and table the agent created, on every backend
  status    print policy, backend, whether it is applied, and the kernel's counters (JSON)
  print     print the rules that apply would load (dry run)
  version   print the agent's version (also --version)
  json-string TEXT  print TEXT as one JSON string (for the rpcd plugin)

options:
  --config FILE   UCI config file (default ${DEFAULT_CONFIG_PATH})
  --force         apply: rewrite the rules even when the kernel already holds them

exit codes: 0 ok, 1 failure, 2 bad input, 3 drift (verify)
`;

/** What a usage error's line ends with. */
export const USAGE_HINT = '`op25b-agent help` lists the commands and options';

export function parseArgs(argv: readonly string[]): CliArgs {
  let command: Command | undefined;
  let configPath = DEFAULT_CONFIG_PATH;
  let force = false;
  // The rpcd plugin's encoder: the one argument after it is text, even when it looks like an option.
  if (argv[0] === 'json-string') {
    const text = argv[1];
    const rest = argv.slice(2);
    // A --config after it is allowed (and unused), as after every command.
    if (text === undefined || !(rest.length === 0 || (rest.length === 2 && rest[0] === '--config')))
      throw new InputError('usage', 'json-string takes one argument');
    return { command: 'json-string', configPath, force, text };
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? argv[++i] : arg.slice('--config='.length);
      if (!value) throw new InputError('usage', '--config needs a file name');
      configPath = value;
    } else if (arg === '--force') force = true;
    else if (arg === '-h' || arg === '--help') command = 'help';
    else if (arg === '--version') command = 'version';
    else if (arg.startsWith('-'))
      throw new InputError('usage', `unknown option ${quoteValue(arg)}`);
    else if (command !== undefined)
      throw new InputError('usage', `unexpected argument ${quoteValue(arg)}`);
    else if ((COMMANDS as readonly string[]).includes(arg)) command = arg as Command;
    else throw new InputError('usage', `unknown command ${quoteValue(arg)}`);
  }
  if (command === undefined) throw new InputError('usage', 'missing command');
  if (force && command !== 'apply') throw new InputError('usage', '--force goes with apply only');
  return { command, configPath, force };
}
