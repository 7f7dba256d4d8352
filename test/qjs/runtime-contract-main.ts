// Bundled for dist/qjs by runtime-quickjs.test.ts: observes the QuickJS runtime and prints JSON.
import * as std from 'std';
import { createQuickJsRuntime } from '../../agent/runtime/quickjs/runtime.ts';
import { observeRuntime } from '../runtime/contract.ts';

const runtime = createQuickJsRuntime();
const scratch = runtime.argv[0] ?? '/tmp';
observeRuntime(runtime, scratch, () => (std as unknown as { gc(): void }).gc()).then(
  (observations) => {
    runtime.writeStdout(JSON.stringify(observations));
    runtime.exit(0);
  },
  (error: unknown) => {
    runtime.writeStderr(`contract failed: ${String(error)}\n`);
    runtime.exit(1);
  },
);
