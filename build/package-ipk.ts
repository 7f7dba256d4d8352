// `npm run package`: builds dist/op25b_<version>_all.ipk for OpenWrt 24.10 (opkg) without the
// OpenWrt SDK, from the feed package in openwrt/op25b-agent/.
//
// The package Makefile is the one source of truth. GNU make evaluates it against a stand-in of
// the two build-system files it includes (rules.mk, package.mk), written below: the stand-in
// runs the Makefile's own Build/Prepare and Package/op25b/install recipes into a staging tree
// and dumps its variables (version, DEPENDS, description, conffiles, maintainer scripts). The
// archive is then laid out the way OpenWrt's scripts/ipkg-build and include/package-pack.mk lay
// out theirs: an outer tar.gz holding ./debian-binary, ./data.tar.gz and ./control.tar.gz in
// that order; GNU tar format, entries sorted by name, uid/gid 0, one fixed mtime, gzip -n.
// Installed-Size is the size of the uncompressed data tar, as ipkg-build computes it. The
// postinst/prerm are the build system's wrappers around default_postinst/default_prerm, and the
// Makefile's own scripts go into postinst-pkg/prerm-pkg, where those functions look for them.
//
// Deterministic: the same sources and SOURCE_DATE_EPOCH give the same bytes. The mtime is
// SOURCE_DATE_EPOCH, else the time of the last git commit, else 0.
//
//   npm run package                       # dist/op25b_0.1.0-1_all.ipk
//   npm run package -- --out DIR          # somewhere else
//
// OpenWrt 25.12 installs .apk (apk-tools 3, ADB format), which this script does not write: no
// apk-tools 3 is available here to build or check one. The Makefile is the 25.12 path.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PACKAGE_DIR = join(REPO_ROOT, 'openwrt', 'op25b-agent');
export const BUNDLE = join(REPO_ROOT, 'dist', 'op25b-agent.js');

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

function run(argv: readonly string[], options: { cwd?: string } = {}): Buffer {
  const result = spawnSync(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw new Error(`${argv[0]}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `${argv.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.toString().trim()}`,
    );
  return result.stdout;
}

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

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? [path, ...walk(path)] : [path];
  });
}

/** GNU tar of everything under `dir`, the way ipkg-build makes its archives, gzipped. */
function tarGz(dir: string, entries: readonly string[], epoch: number, out: string): number {
  const tar = `${out}.tar`;
  run([
    'tar',
    '--format=gnu',
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '--sort=name',
    `--mtime=@${epoch}`,
    '-C',
    dir,
    '-cf',
    tar,
    ...entries,
  ]);
  const size = statSync(tar).size;
  writeFileSync(out, run(['gzip', '-n', '-9', '-c', tar]));
  rmSync(tar);
  return size;
}

function defaultEpoch(): number {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined) {
    if (!/^[0-9]+$/.test(fromEnv)) throw new Error(`SOURCE_DATE_EPOCH=${fromEnv} is not a number`);
    return Number(fromEnv);
  }
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return git.status === 0 && /^[0-9]+$/.test(git.stdout.trim()) ? Number(git.stdout.trim()) : 0;
}

// What the bundle is built from; a bundle older than any of these is rebuilt first.
const BUNDLE_INPUTS = [
  'agent',
  'build/esbuild-qjs-options.ts',
  'esbuild.config.ts',
  'package.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...walk(path).map((p) => statSync(p).mtimeMs));
}

/** Rebuilds dist/op25b-agent.js (esbuild only, not the host qjs) when it is missing or stale. */
export function ensureBundle(): void {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  const inputs = Math.max(...BUNDLE_INPUTS.map((p) => newestMtime(join(REPO_ROOT, p))));
  if (built >= inputs) return;
  process.stderr.write('package: building dist/op25b-agent.js first\n');
  run([process.execPath, '--import', 'tsx', 'esbuild.config.ts'], { cwd: REPO_ROOT });
}

export interface BuiltPackage {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly meta: PackageMeta;
  readonly control: string;
}

export interface BuildOptions {
  readonly outDir: string;
  readonly epoch?: number;
  readonly profile?: TargetProfile;
}

/** Builds the .ipk into outDir and returns where and what. */
export function buildIpk(options: BuildOptions): BuiltPackage {
  const epoch = options.epoch ?? defaultEpoch();
  const profile = options.profile ?? OPENWRT_24_10;
  const work = mkdtempSync(join(tmpdir(), 'op25b-ipk-'));
  try {
    const data = join(work, 'data');
    const control = join(work, 'control');
    const outer = join(work, 'outer');
    const meta = evaluateMakefile({ stageDir: data });

    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    if (meta.version !== version)
      throw new Error(`Makefile PKG_VERSION ${meta.version} differs from package.json ${version}`);

    // Conffiles the package does not contain (directories such as /etc/op25b/) are kept across
    // sysupgrade through /lib/upgrade/keep.d/<package>, as the build system does it.
    const keep = meta.conffiles.filter((path) => !existsSync(join(data, path)));
    if (keep.length) {
      mkdirSync(join(data, 'lib', 'upgrade', 'keep.d'), { recursive: true });
      writeFileSync(join(data, 'lib', 'upgrade', 'keep.d', meta.name), `${keep.join('\n')}\n`);
      chmodSync(join(data, 'lib', 'upgrade', 'keep.d', meta.name), 0o644);
    }
    // Directories 0755 whatever the umask; files keep the modes the install recipe gave them.
    chmodSync(data, 0o755);
    for (const path of walk(data)) if (statSync(path).isDirectory()) chmodSync(path, 0o755);

    mkdirSync(control, { mode: 0o755 });
    mkdirSync(outer, { mode: 0o755 });
    const dataTar = join(outer, 'data.tar.gz');
    const installedSize = tarGz(data, ['.'], epoch, dataTar);

    const depends = evaluateDepends(meta.depends, profile);
    const controlFile = controlText({ meta, depends, installedSize, epoch });
    const put = (name: string, text: string, mode: number): void => {
      writeFileSync(join(control, name), text);
      chmodSync(join(control, name), mode);
    };
    put('control', controlFile, 0o644);
    const conffiles = meta.conffiles.filter((path) =>
      statSync(join(data, path), { throwIfNoEntry: false })?.isFile(),
    );
    if (conffiles.length) put('conffiles', `${[...conffiles].sort().join('\n')}\n`, 0o644);
    put('postinst', POSTINST_WRAPPER, 0o755);
    put('prerm', PRERM_WRAPPER, 0o755);
    const scriptNames: Record<string, string> = {
      preinst: 'preinst',
      postinst: 'postinst-pkg',
      prerm: 'prerm-pkg',
      postrm: 'postrm',
    };
    for (const [script, text] of Object.entries(meta.scripts))
      put(scriptNames[script] ?? script, text, 0o755);
    tarGz(control, ['.'], epoch, join(outer, 'control.tar.gz'));

    writeFileSync(join(outer, 'debian-binary'), '2.0\n');
    chmodSync(join(outer, 'debian-binary'), 0o644);
    chmodSync(dataTar, 0o644);
    chmodSync(join(outer, 'control.tar.gz'), 0o644);
    mkdirSync(options.outDir, { recursive: true });
    const path = join(
      options.outDir,
      `${meta.name}_${meta.version}-${meta.release}_${meta.arch}.ipk`,
    );
    tarGz(outer, ['./debian-binary', './data.tar.gz', './control.tar.gz'], epoch, path);

    const bytes = readFileSync(path);
    return {
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      meta,
      control: controlFile,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(argv: readonly string[]): void {
  let outDir = join(REPO_ROOT, 'dist');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) outDir = argv[++i]!;
    else throw new Error(`usage: package-ipk.ts [--out DIR] (unexpected ${argv[i]})`);
  }
  ensureBundle();
  const built = buildIpk({ outDir });
  process.stdout.write(
    `${relative(process.cwd(), built.path) || built.path}: ${built.bytes} bytes, sha256 ${built.sha256}\n` +
      `for ${OPENWRT_24_10.label}; OpenWrt 25.12 (apk): build openwrt/op25b-agent with the SDK\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `package: error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
