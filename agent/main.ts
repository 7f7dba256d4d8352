// The bundle's entry point under QuickJS: `qjs op25b-agent.js <command> [--config FILE]`.
import { runCli } from './cli/run-cli.ts';
import { createQuickJsRuntime } from './runtime/quickjs/runtime.ts';

const runtime = createQuickJsRuntime();
runCli(runtime).then(
  (code) => runtime.exit(code),
  (error: unknown) => {
    runtime.writeStderr(`op25b: internal error: ${String(error)}\n`);
    runtime.exit(1);
  },
);
