// Bundled for dist/qjs by tied-to-parent.test.ts: starts `sleep <marker>` tied to this process,
// says so, and waits to be killed.
import { createQuickJsRuntime } from '../../agent/runtime/quickjs/runtime.ts';
import { tiedToParent } from '../../agent/runtime/tied-to-parent.ts';

const runtime = createQuickJsRuntime();
runtime.spawn(tiedToParent(['sleep', runtime.argv[0] ?? '30']), {});
runtime.setTimeout(() => runtime.writeStdout('started\n'), 100);
runtime.setTimeout(() => runtime.exit(0), 20_000);
