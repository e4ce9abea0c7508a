import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU seconds spent so far by every process of the given process groups (Linux /proc: user +
 * system time of the live processes, plus what their exited children left them). A server's
 * CPU per request is far steadier than its requests per second on a shared machine: another
 * job's load stretches the wall clock but barely changes the work a request takes.
 */
export function groupCpuSeconds(pgids: readonly number[]): number {
  const groups = new Set(pgids);
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while listing
    }
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is state (field 3), so field n is fields[n - 3].
    if (!groups.has(Number(fields[2]))) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / ticksPerSecond;
}
