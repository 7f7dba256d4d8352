// The one section a parsed test text must hold (not a test file: uvu only runs *.test.ts).
import * as assert from 'uvu/assert';
import type { UciPackage, UciSection } from '../../../agent/config/uci-parse.ts';

export function only(pkg: UciPackage): UciSection {
  assert.is(pkg.sections.length, 1);
  return pkg.sections[0]!;
}
