// The bundle's entry point under QuickJS: `qjs op25b-agent.js <command> [--config FILE]`.
// globals.ts first: MQTT.js and its packages read those globals while they load.
import './runtime/quickjs/globals.ts';
import { LIST_ARGV } from './firewall/nftables/names.ts';
import { withEarlyRuns } from './runtime/early-runs.ts';
import { createQuickJsRuntime } from './runtime/quickjs/runtime.ts';

const early = withEarlyRuns(createQuickJsRuntime());
const { runtime } = early;
// `apply` and `verify` list the kernel before anything else; on nftables that listing runs while
// QuickJS compiles the CLI (the import below), instead of after it. With another backend the
// listing goes unused: it only reads.
const command = runtime.argv.find((arg) => !arg.startsWith('-'));
if (
  (command === 'apply' || command === 'verify') &&
  !runtime.argv.includes('--force') &&
  runtime.findExecutable('nft')
)
  early.start(LIST_ARGV);
import('./cli/run-cli.ts')
  .then(({ runCli }) => runCli(runtime))
  .then(
    (code) => runtime.exit(code),
    (error: unknown) => {
      runtime.writeStderr(`op25b: internal error: ${String(error)}\n`);
      runtime.exit(1);
    },
  );
