// Entry point of the command line: parses arguments, loads the config, runs one command and
// maps every failure to an exit code and one clear line on stderr.
import { loadDaemon } from '../daemon/load-daemon.ts';
import { FirewallError } from '../firewall/backend.ts';
import { InputError } from '../input-error.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { AGENT_VERSION } from '../version.ts';
import { loadAgentContext } from './agent-context.ts';
import { parseArgs, USAGE, USAGE_HINT } from './args.ts';
import {
  applyCommand,
  printCommand,
  removeCommand,
  statusCommand,
  verifyCommand,
} from './commands.ts';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';

// QuickJS 2025-04-26 on exits at once on a promise rejected while it has no handler, even one
// that a caller would attach a moment later: so an async function must never throw before its
// first await. Here the synchronous part (arguments, config) throws synchronously, inside
// runCli's try; the commands await before anything that can throw.
function dispatch(runtime: Runtime): number | Promise<number> {
  const args = parseArgs(runtime.argv);
  switch (args.command) {
    case 'help':
      runtime.writeStdout(USAGE);
      return EXIT_OK;
    case 'version':
      runtime.writeStdout(`op25b-agent ${AGENT_VERSION} (${runtime.name})\n`);
      return EXIT_OK;
    case 'remove':
      return removeCommand(runtime);
    case 'json-string':
      // At most 2000 characters (code points), as UTF-8; JSON.stringify escapes the rest.
      runtime.writeStdout(
        `${JSON.stringify(
          Array.from(args.text ?? '')
            .slice(0, 2000)
            .join(''),
        )}\n`,
      );
      return EXIT_OK;
  }
  if (args.command === 'run')
    return loadDaemon().then((daemon) => daemon.runDaemon(runtime, args.configPath));
  const context = loadAgentContext(runtime, args.configPath);
  switch (args.command) {
    case 'apply':
      return applyCommand(runtime, context, args.force);
    case 'verify':
      return verifyCommand(runtime, context);
    case 'status':
      return statusCommand(runtime, context);
    case 'print':
      return printCommand(runtime, context);
  }
}

export async function runCli(runtime: Runtime): Promise<number> {
  try {
    return await dispatch(runtime);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // One line, always; a usage error points to the usage instead of printing it.
    const hint = error instanceof InputError && error.code === 'usage' ? ` (${USAGE_HINT})` : '';
    runtime.writeStderr(`op25b: error: ${message.replace(/\n/g, ' ')}${hint}\n`);
    if (error instanceof InputError) return EXIT_BAD_INPUT;
    if (!(error instanceof FirewallError)) runtime.writeStderr('op25b: (unexpected error)\n');
    return EXIT_FAILURE;
  }
}
