// `npm run fleet -- ...`: parse, run over the API or on the database, print one
// `fleet: error: ...` line on failure and exit with the code of portal/cli/exit-codes.ts.
import { ConfigError } from '../config/config-error.ts';
import { loadPortalConfig } from '../config/portal-config.ts';
import { apiClient } from './api-client.ts';
import { runApiCommand } from './api-commands.ts';
import { parseCliArgs, USAGE } from './cli-args.ts';
import { runDbCommand } from './db-commands.ts';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';

const out = (text: string) => void process.stdout.write(text);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCliArgs(argv);
  if (cmd.kind === 'help') {
    out(USAGE);
    return EXIT_OK;
  }
  if (cmd.kind === 'user-add' || cmd.kind === 'token-create') {
    const { config } = loadPortalConfig(process.env);
    return runDbCommand(cmd, config, { out, readStdin });
  }
  const api = apiClient(
    process.env.PORTAL_URL || 'http://127.0.0.1:8080',
    process.env.PORTAL_TOKEN,
  );
  return runApiCommand(cmd, api, { out });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code =
      error instanceof CliError
        ? error.code
        : error instanceof ConfigError
          ? EXIT_BAD_INPUT
          : EXIT_FAILURE;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fleet: error: ${message.split('\n')[0]}\n`);
    process.exit(code);
  },
);
// A closed stdout (fleet list | head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT_OK);
});
