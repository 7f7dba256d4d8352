// Files under QuickJS. std/os report errors as negative errno values; we turn them into throws
// with the path in the message, the way Node's fs does.
import * as os from 'os';
import * as std from 'std';
import { encodeUtf8 } from '../../encoding/utf8.ts';

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
  // Same directory as the target, so the rename cannot cross file systems. os.open/os.write, not
  // std's FILE: those return -errno, where a failed fflush() of a FILE loses the errno (a full
  // disk must read "No space left on device", not a guess).
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${counter++}`;
  const fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644);
  if (fd < 0) fail('cannot create', tmp, fd);
  const bytes = encodeUtf8(text);
  let written = 0;
  let result = 0;
  while (written < bytes.length) {
    result = os.write(
      fd,
      bytes.buffer as ArrayBuffer,
      bytes.byteOffset + written,
      bytes.length - written,
    );
    if (result <= 0) break;
    written += result;
  }
  const closed = os.close(fd);
  if (written < bytes.length || closed !== 0) {
    os.remove(tmp);
    fail('cannot write', tmp, written < bytes.length ? result || -5 : closed);
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

export function listDirectory(path: string): string[] {
  const [names, err] = os.readdir(path);
  return err === 0 ? names.filter((n) => n !== '.' && n !== '..') : [];
}

export function fileIdentity(path: string): string | null {
  const [st, err] = os.stat(path);
  return err === 0 ? `${st.dev}:${st.ino}:${st.ctime}` : null;
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
