// The parts of QuickJS's built-in `os` and `std` modules (bellard's builds, 2021-03-27 and later)
// that the QuickJS runtime adapter uses. Nothing outside agent/runtime/quickjs may import them.

declare module 'os' {
  export type TimerHandle = unknown;
  export function setTimeout(fn: () => void, ms: number): TimerHandle;
  export function clearTimeout(handle: TimerHandle): void;
  export function setReadHandler(fd: number, fn: (() => void) | null): void;
  export function setWriteHandler(fd: number, fn: (() => void) | null): void;
  export function signal(sig: number, fn: (() => void) | null | undefined): void;
  export function pipe(): [number, number] | null;
  export function close(fd: number): number;
  export function read(fd: number, buffer: ArrayBuffer, offset: number, length: number): number;
  export function write(fd: number, buffer: ArrayBuffer, offset: number, length: number): number;
  export function exec(
    argv: string[],
    options?: {
      block?: boolean;
      usePath?: boolean;
      file?: string;
      cwd?: string;
      stdin?: number;
      stdout?: number;
      stderr?: number;
      env?: Record<string, string>;
    },
  ): number;
  export function waitpid(pid: number, options: number): [number, number];
  export function kill(pid: number, sig: number): number;
  export function stat(
    path: string,
  ): [
    { dev: number; ino: number; mode: number; size: number; mtime: number; ctime: number },
    number,
  ];
  export function mkdir(path: string, mode?: number): number;
  export function remove(path: string): number;
  export function readdir(path: string): [string[], number];
  export function open(path: string, flags: number, mode?: number): number;
  export const O_WRONLY: number;
  export const O_CREAT: number;
  export const O_TRUNC: number;
  export function rename(oldPath: string, newPath: string): number;
  export function sleep(ms: number): void;
  export const WNOHANG: number;
  export const S_IFMT: number;
  export const S_IFREG: number;
  export const S_IFDIR: number;
}

declare module 'std' {
  export interface FILE {
    puts(text: string): void;
    readAsString(maxSize?: number): string;
    read(buffer: ArrayBuffer, offset: number, length: number): number;
    write(buffer: ArrayBuffer, offset: number, length: number): number;
    flush(): void;
    close(): number;
    error(): boolean;
  }
  export const out: FILE;
  export const err: FILE;
  export function open(path: string, mode: string, errorObj?: { errno?: number }): FILE | null;
  export function loadFile(path: string): string | null;
  export function getenv(name: string): string | undefined;
  export function exit(code: number): never;
  export function strerror(errno: number): string;
}

declare const scriptArgs: string[];
