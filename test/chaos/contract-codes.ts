// The reply codes the contract documents, read from docs/mqtt-contract.md's error-code table
// (the table is the contract; the suite never keeps a copy of it).
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../testbed/index.ts';
import { join } from 'node:path';

export function documentedReplyCodes(
  text = readFileSync(join(REPO_ROOT, 'docs', 'mqtt-contract.md'), 'utf8'),
): Set<string> {
  const start = text.indexOf('### Error codes');
  const end = text.indexOf('\n## ', start);
  if (start < 0) throw new Error('docs/mqtt-contract.md has no "### Error codes" section');
  const codes = new Set<string>();
  for (const match of text.slice(start, end).matchAll(/^\| `([a-z_]+)`\s*\|/gm))
    codes.add(match[1]!);
  if (codes.size < 10) throw new Error(`only ${codes.size} codes found in the error-code table`);
  return codes;
}
