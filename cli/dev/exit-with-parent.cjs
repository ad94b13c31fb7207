// Preloaded into dev-stack child processes: exit when the parent's stdin pipe closes, so a
// parent killed without cleanup (SIGKILL, crash) leaves no orphan behind.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
