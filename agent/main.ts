// The bundle's entry point under QuickJS: `qjs op25b-agent.js <command> [--config FILE]`.
// globals.ts first: MQTT.js and its packages read those globals while they load.
import './runtime/quickjs/globals.ts';
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
