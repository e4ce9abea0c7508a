// Leads the process group a local server (wrangler dev and its workerd, or deno) runs in, and
// ends that whole group when the process that started it is gone, however it went (SIGKILL
// included: no handler of the supervisor runs then). The supervisor holds the write end of
// this process's stdin and never writes; the kernel closes it when the supervisor dies, and
// the EOF is the signal. (Linux' PR_SET_PDEATHSIG is out of reach from Node without a native
// module, and would only cover the direct child, not workerd.)
//
//   node group-watchdog.mjs <tag> <bin> [args...]
//
// <tag> is only there to be seen: it is also put in the server's environment as
// TRYIT_GROUP_TAG, so a later start can tell a leftover group of ours from a stranger's
// (leftovers.ts beside this file). Plain JavaScript: it must start without a TypeScript loader.
import { spawn } from "node:child_process";
import { constants } from "node:os";

const [tag, bin, ...args] = process.argv.slice(2);
if (!tag || !bin) {
  console.error("usage: group-watchdog.mjs <tag> <bin> [args...]");
  process.exit(2);
}
// How long the group gets to stop after its supervisor died, before SIGKILL.
const GRACE_MS = 1500;

const server = spawn(bin, args, {
  // Same group as this process (no `detached`): signalling the group reaches both.
  // stdin ignored: a background group that touches the terminal gets SIGTTIN and hangs.
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, TRYIT_GROUP_TAG: tag },
});

let orphaned = false;
function endGroup() {
  if (orphaned) return;
  orphaned = true;
  signalGroup("SIGTERM");
  // Whatever is left after the grace (workerd does not always follow wrangler), this process
  // included, goes with SIGKILL.
  setTimeout(() => signalGroup("SIGKILL"), GRACE_MS);
}
function signalGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // ESRCH: nobody left.
  }
}
process.stdin.on("end", endGroup);
process.stdin.on("close", endGroup);
process.stdin.on("error", endGroup);
process.stdin.resume();

// The supervisor's stop() signals the whole group: the server gets it directly; this process
// just waits for the server to finish and then reports how it ended.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => {});

server.on("error", (err) => {
  console.error(`[watchdog] cannot start ${bin}: ${err.message}`);
  process.exit(127);
});
server.on("exit", (code, signal) => {
  // Orphaned: stay until the SIGKILL above has swept the rest of the group.
  if (orphaned) return;
  if (code !== null) process.exit(code);
  // Killed by a signal: end the same way, so the supervisor sees what the server saw.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
});
