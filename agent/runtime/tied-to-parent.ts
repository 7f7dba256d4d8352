// A long-running program that must not outlive the agent. When qjs dies, even by SIGKILL, its end
// of the child's stdin closes; this wrapper (POSIX sh, the program passed as "$@", so no text is
// ever parsed by the shell) kills the program then. It also ends when the program ends, with
// its exit status, and passes SIGTERM on. Used for `nft monitor` and `ubus listen`, which would
// otherwise linger as orphans until they next write.
// (An asynchronous list's stdin is /dev/null in a shell without job control, so the watcher
// reads the real stdin through fd 3.)
const WRAPPER = [
  'exec 3<&0',
  '"$@" <&- 3<&- & child=$!',
  `trap 'kill "$child" 2>/dev/null; exit 143' HUP INT TERM`,
  '(read -r _ <&3; kill "$child" 2>/dev/null) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$child"',
].join('\n');

export function tiedToParent(argv: readonly string[]): string[] {
  return ['sh', '-c', WRAPPER, 'op25b-child', ...argv];
}
