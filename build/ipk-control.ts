// The control archive's contents: Depends for a target profile, the control file's fields and
// the build system's postinst/prerm wrappers.
import type { PackageMeta } from './ipk-makefile.ts';

/** Which Kconfig symbols are set in the image the package is for. */
export interface TargetProfile {
  readonly label: string;
  readonly symbols: readonly string[];
}

/** OpenWrt 24.10 as shipped: fw4 (firewall4) is the firewall; no feed has a quickjs package. */
export const OPENWRT_24_10: TargetProfile = {
  label: 'OpenWrt 24.10 (firewall4, no quickjs package)',
  symbols: ['PACKAGE_firewall4'],
};

/**
 * DEPENDS as the package's control file lists it for `profile`: `+pkg` and `pkg` depend on pkg;
 * `@SYMBOL` is for menuconfig only; `SYMBOL:pkg` (or `+SYMBOL:pkg`) depends on pkg when SYMBOL
 * is set, `!SYMBOL:pkg` when it is not, `(A||B):pkg` when either is. libc comes first, as the
 * build system adds it to every package but kernel modules.
 */
export function evaluateDepends(depends: string, profile: TargetProfile): string[] {
  const out = ['libc'];
  for (const token of depends.split(/\s+/).filter(Boolean)) {
    if (token.startsWith('@')) continue;
    const spec = token.replace(/^\+/, '');
    const colon = spec.indexOf(':');
    let name = spec;
    if (colon >= 0) {
      const condition = spec.slice(0, colon);
      name = spec.slice(colon + 1);
      const negated = condition.startsWith('!');
      const symbols = condition.replace(/^!/, '').replace(/[()]/g, '').split('||');
      const set = symbols.some((symbol) => profile.symbols.includes(symbol));
      if (set === negated) continue;
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The build system's postinst and prerm: they call default_postinst/default_prerm from
 * /lib/functions.sh, which run <package>.postinst-pkg / .prerm-pkg (the Makefile's scripts),
 * the uci-defaults scripts, and enable+start / stop+disable the init scripts. */
export const POSTINST_WRAPPER = `#!/bin/sh
[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s "\${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
# shellcheck source=/dev/null
. "\${IPKG_INSTROOT}/lib/functions.sh"
default_postinst "$0" "$@"
`;

export const PRERM_WRAPPER = `#!/bin/sh
[ -s "\${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
# shellcheck source=/dev/null
. "\${IPKG_INSTROOT}/lib/functions.sh"
default_prerm "$0" "$@"
`;

export interface ControlFields {
  readonly meta: PackageMeta;
  readonly depends: readonly string[];
  readonly installedSize: number;
  readonly epoch: number;
}

/** The control file, fields in the order include/package-pack.mk writes them. */
export function controlText({ meta, depends, installedSize, epoch }: ControlFields): string {
  const lines = [
    `Package: ${meta.name}`,
    `Version: ${meta.version}-${meta.release}`,
    `Depends: ${depends.join(', ')}`,
    `Source: feeds/op25b/${meta.sourceName}`,
    `SourceName: ${meta.sourceName}`,
    `License: ${meta.license}`,
    `Section: ${meta.section}`,
    `SourceDateEpoch: ${epoch}`,
    `Architecture: ${meta.arch}`,
    `Installed-Size: ${installedSize}`,
  ];
  // Each description line starts with one space (a continuation line); the first follows
  // "Description: " directly, as the build system writes it.
  const description = meta.description
    .split('\n')
    .map((line) => ` ${line.trimStart()}`)
    .join('\n');
  return `${lines.join('\n')}\nDescription: ${description}\n`;
}
