// What a process the whole-process benchmark times says of its own startup, on stderr, in the
// words of `portcullis mask --stats`: CPU time (every thread) and wall time until it is ready.
export const startupLine = (): string => {
  const used = process.cpuUsage();
  return `startup ${((used.user + used.system) / 1e6).toFixed(3)} s CPU (${process.uptime().toFixed(3)} s wall)\n`;
};

/** The startup a process printed on stderr (startupLine, or `portcullis mask --stats`), in seconds. */
export function startupOf(stderr: string): { cpu: number; wall: number } {
  const found = /startup (\d+\.\d+) s CPU \((\d+\.\d+) s wall\)/.exec(stderr);
  if (!found) throw new Error(`no startup line in: ${stderr.slice(0, 200)}`);
  return { cpu: Number(found[1]), wall: Number(found[2]) };
}
