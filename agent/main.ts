// The bundle's entry point under QuickJS: `qjs op25b-agent.js <command> [--config FILE]`.
// globals.ts first: @noble/hashes needs Object.hasOwn while it loads.
import './runtime/quickjs/globals.ts';
import { startEarlyRuns } from './cli/early-start.ts';
import { withEarlyRuns } from './runtime/early-runs.ts';
import { createQuickJsRuntime } from './runtime/quickjs/runtime.ts';

const early = withEarlyRuns(createQuickJsRuntime());
const { runtime } = early;
// `apply` and `verify` list the kernel (and ask netifd) before anything else: those programs run
// while QuickJS compiles the CLI (the import below), instead of after it.
startEarlyRuns(early);
import('./cli/run-cli.ts')
  .then(({ runCli }) => runCli(runtime))
  .then(
    (code) => runtime.exit(code),
    (error: unknown) => {
      runtime.writeStderr(`op25b: internal error: ${String(error)}\n`);
      runtime.exit(1);
    },
  );
