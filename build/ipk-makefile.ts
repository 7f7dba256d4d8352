// The package Makefile evaluated by GNU make against a stand-in of the build system: it stages
// the package's files and dumps the variables the .ipk needs (see package-ipk.ts).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_DIR } from './ipk-paths.ts';
import { run } from './ipk-run.ts';

/** What the Makefile says about the package, as make expanded it. */
export interface PackageMeta {
  readonly name: string;
  readonly sourceName: string;
  readonly version: string;
  readonly release: string;
  readonly license: string;
  readonly section: string;
  readonly arch: string;
  /** DEPENDS as written, e.g. `+PACKAGE_firewall4:nftables-json +quickjs`. */
  readonly depends: string;
  readonly description: string;
  readonly conffiles: readonly string[];
  /** preinst, postinst, prerm, postrm: the Makefile's own scripts. */
  readonly scripts: Readonly<Record<string, string>>;
}

// The stand-in for the build system's rules.mk and include/package.mk: just enough for this
// Makefile. BuildPackage evaluates Package/<name> like package.mk does, writes what the .ipk needs
// into OP25B_META, and adds a `stage` target that runs Build/Prepare and the install recipe.
const RULES_MK = `INCLUDE_DIR:=$(TOPDIR)/include
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
CP:=cp -fpR
`;

const PACKAGE_MK = `PKG_BUILD_DIR:=$(OP25B_BUILD)
define BuildPackage
$(eval SECTION:=opt)$(eval PKGARCH:=)$(eval DEPENDS:=)$(eval TITLE:=)
$(eval $(Package/$(1)))
$(file >$(OP25B_META)/name,$(1))
$(file >$(OP25B_META)/source-name,$(PKG_NAME))
$(file >$(OP25B_META)/version,$(PKG_VERSION))
$(file >$(OP25B_META)/release,$(PKG_RELEASE))
$(file >$(OP25B_META)/license,$(PKG_LICENSE))
$(file >$(OP25B_META)/section,$(SECTION))
$(file >$(OP25B_META)/arch,$(PKGARCH))
$(file >$(OP25B_META)/depends,$(DEPENDS))
$(file >$(OP25B_META)/description,$(Package/$(1)/description))
$(file >$(OP25B_META)/conffiles,$(Package/$(1)/conffiles))
$(foreach s,preinst postinst prerm postrm,$(if $(Package/$(1)/$(s)),$(file >$(OP25B_META)/script-$(s),$(Package/$(1)/$(s)))))
stage:
\t$$(Build/Prepare)
\t$$(call Package/$(1)/install,$(OP25B_STAGE))
endef
`;

export interface EvaluateOptions {
  /** Where the install recipe puts the files. */
  readonly stageDir: string;
  /** The buildroot top directory make sees (feeds/ under it decide the quickjs dependency). */
  readonly topDir?: string;
  readonly bundle?: string;
}

/** Runs the package Makefile with the stand-in build system; returns its metadata. */
export function evaluateMakefile(options: EvaluateOptions): PackageMeta {
  const scratch = mkdtempSync(join(tmpdir(), 'op25b-make-'));
  try {
    const top = options.topDir ?? join(scratch, 'top');
    mkdirSync(join(top, 'include'), { recursive: true });
    writeFileSync(join(top, 'rules.mk'), RULES_MK);
    writeFileSync(join(top, 'include', 'package.mk'), PACKAGE_MK);
    const meta = join(scratch, 'meta');
    mkdirSync(meta);
    mkdirSync(options.stageDir, { recursive: true });
    run([
      'make',
      '--no-print-directory',
      '-s',
      '-C',
      PACKAGE_DIR,
      `TOPDIR=${top}`,
      `OP25B_META=${meta}`,
      `OP25B_STAGE=${options.stageDir}`,
      `OP25B_BUILD=${join(scratch, 'build')}`,
      ...(options.bundle ? [`OP25B_BUNDLE=${options.bundle}`] : []),
      'stage',
    ]);
    const read = (name: string): string => readFileSync(join(meta, name), 'utf8');
    const field = (name: string): string => read(name).trim();
    const scripts: Record<string, string> = {};
    for (const entry of readdirSync(meta))
      if (entry.startsWith('script-')) scripts[entry.slice('script-'.length)] = read(entry);
    return {
      name: field('name'),
      sourceName: field('source-name'),
      version: field('version'),
      release: field('release'),
      license: field('license'),
      section: field('section'),
      arch: field('arch'),
      depends: field('depends'),
      description: read('description').replace(/\n$/, ''),
      conffiles: field('conffiles').split(/\s+/).filter(Boolean),
      scripts,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
