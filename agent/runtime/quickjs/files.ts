// Files under QuickJS. std/os report errors as negative errno values; we turn them into throws
// with the path in the message, the way Node's fs does.
import * as os from 'os';
import * as std from 'std';

function fail(what: string, path: string, errno: number): never {
  throw new Error(`${what} ${path}: ${std.strerror(Math.abs(errno))}`);
}

export function readBytes(path: string, length: number): Uint8Array | null {
  const file = std.open(path, 'rb');
  if (!file) return null;
  try {
    const buffer = new ArrayBuffer(length);
    const count = file.read(buffer, 0, length);
    return new Uint8Array(buffer, 0, Math.max(0, count));
  } finally {
    file.close();
  }
}

export function readText(path: string): string | null {
  // Not std.loadFile: it sizes the file with ftell(), which reads /proc files as empty.
  const file = std.open(path, 'r');
  if (!file) return null;
  try {
    return file.readAsString();
  } finally {
    file.close();
  }
}

let counter = 0;

export function writeTextAtomic(path: string, text: string): void {
  // Same directory as the target, so the rename cannot cross file systems.
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${counter++}`;
  const error: { errno?: number } = {};
  const file = std.open(tmp, 'w', error);
  if (!file) fail('cannot create', tmp, error.errno ?? 5);
  file.puts(text);
  file.flush();
  const failed = file.error();
  const closed = file.close();
  if (failed || closed !== 0) {
    os.remove(tmp);
    fail('cannot write', tmp, closed || 5);
  }
  const renamed = os.rename(tmp, path);
  if (renamed !== 0) {
    os.remove(tmp);
    fail('cannot replace', path, renamed);
  }
}

export function makeDirectory(path: string): void {
  if (isDirectory(path)) return;
  const parent = path.replace(/\/[^/]*\/?$/, '');
  if (parent && parent !== path) makeDirectory(parent);
  const result = os.mkdir(path, 0o755);
  if (result !== 0 && !isDirectory(path)) fail('cannot create directory', path, result);
}

export function removeFile(path: string): void {
  os.remove(path);
}

function isDirectory(path: string): boolean {
  const [st, err] = os.stat(path);
  return err === 0 && (st.mode & os.S_IFMT) === os.S_IFDIR;
}

export function findExecutable(name: string, searchPath: string): string | null {
  const candidates = name.includes('/') ? [name] : searchPath.split(':').map((d) => `${d}/${name}`);
  for (const candidate of candidates) {
    const [st, err] = os.stat(candidate);
    if (err === 0 && (st.mode & os.S_IFMT) === os.S_IFREG && (st.mode & 0o111) !== 0)
      return candidate;
  }
  return null;
}
