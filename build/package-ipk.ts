// `npm run package`: builds dist/op25b_<version>_all.ipk for OpenWrt 24.10 (opkg) without the
// OpenWrt SDK, from the feed package in openwrt/op25b-agent/.
//
// The package Makefile is the one source of truth. GNU make evaluates it against a stand-in of
// the two build-system files it includes (rules.mk, package.mk), in ipk-makefile.ts: the stand-in
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
//
// The parts: ipk-makefile.ts (make and the stand-in build system), ipk-control.ts (control
// file, Depends, wrappers), ipk-archive.ts (tar/gzip), ipk-bundle.ts (a current bundle first).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tarGz, walk } from './ipk-archive.ts';
import { ensureBundle } from './ipk-bundle.ts';
import {
  controlText,
  evaluateDepends,
  OPENWRT_24_10,
  POSTINST_WRAPPER,
  PRERM_WRAPPER,
  type TargetProfile,
} from './ipk-control.ts';
import { evaluateMakefile, type PackageMeta } from './ipk-makefile.ts';
import { REPO_ROOT } from './ipk-paths.ts';

// The packager's public surface, as it was before the split.
export { BUNDLE, PACKAGE_DIR, REPO_ROOT } from './ipk-paths.ts';
export {
  controlText,
  evaluateDepends,
  OPENWRT_24_10,
  POSTINST_WRAPPER,
  PRERM_WRAPPER,
  type ControlFields,
  type TargetProfile,
} from './ipk-control.ts';
export { evaluateMakefile, type EvaluateOptions, type PackageMeta } from './ipk-makefile.ts';
export { ensureBundle } from './ipk-bundle.ts';

function defaultEpoch(): number {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined) {
    if (!/^[0-9]+$/.test(fromEnv)) throw new Error(`SOURCE_DATE_EPOCH=${fromEnv} is not a number`);
    return Number(fromEnv);
  }
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return git.status === 0 && /^[0-9]+$/.test(git.stdout.trim()) ? Number(git.stdout.trim()) : 0;
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
