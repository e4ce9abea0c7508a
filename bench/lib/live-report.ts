// The "Live room" section of bench/RESULTS.md, from the live bench's raw results.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { ServerMemory, Spread } from "./live-figures";
import type { LiveFailure, LiveRunResult, LiveSettings } from "./live-run";
import { type MachineInfo, machineSentence } from "./machine";
import { ROOT } from "./stack";

/** Issue 15's target: decision → the last watcher's counts, p99. */
const CEILING_MS = 1_000;

interface Raw {
  date: string;
  command: string;
  settings: LiveSettings;
  machine: MachineInfo;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  results: LiveRunResult[];
  failures: LiveFailure[];
}

const RUNTIME_NAMES: Record<string, string> = {
  workerd: "`npm start` (wrangler dev, workerd)",
  deno: "Deno (one process, as `npm run start:deno`)",
};

const ms = (s: Spread | null) => (s ? `${s.p50} / ${s.p99} / ${s.max}` : "—");
const mem = (m: ServerMemory | null) =>
  m
    ? `${m.totalMiB} (${Object.entries(m.byCommand)
        .filter(([, v]) => v >= 1)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}; ${m.openFiles} open files)`
    : "—";

/** The open-files limit this process runs with, which the servers it starts inherit. */
function openFilesLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) ? soft : null;
  } catch {
    return null;
  }
}

/** Descriptors each socket costs a server, and so how many sockets its limit allows. */
function descriptorsPerSocket(r: LiveRunResult, limit: number | null): string {
  const idle = r.memory.idle?.openFiles;
  const open = r.memory.socketsOpen?.openFiles;
  if (idle === undefined || open === undefined) return `- ${r.runtime}: not measured`;
  const sockets = r.settings.watchers + r.settings.members;
  const each = (open - idle) / sockets;
  const most = limit
    ? `; under the limit of ${limit.toLocaleString("en")} open files, about ${Math.floor((limit - idle) / each).toLocaleString("en")} sockets at most`
    : "";
  return `- ${r.runtime}: ${open.toLocaleString("en")} descriptors with ${sockets.toLocaleString("en")} sockets open, ${each.toFixed(1)} per socket${most}`;
}

export function liveReport(raw: Raw, file: string): string {
  const limit = openFilesLimit();
  const s = raw.settings;
  const failures = raw.failures.map(
    (f) =>
      `- ${RUNTIME_NAMES[f.runtime] ?? f.runtime} with ${f.settings.watchers.toLocaleString("en")} watchers + ${f.settings.members.toLocaleString("en")} members: **failed**: ${f.failure}. ` +
      `The server said: ${
        Object.entries(f.serverErrors)
          .map(([k, n]) => `"${k}" ×${n}`)
          .join(", ") || "nothing about a resource"
      }. ` +
      `Its processes at the failure: ${mem(f.memory)} MiB.`,
  );
  const rows = raw.results.map((r) => {
    const crowd =
      r.settings.watchers === s.watchers
        ? ""
        : ` (**${r.settings.watchers.toLocaleString("en")} watchers**)`;
    const p99 = r.lastWatcherCounts?.p99;
    const verdict =
      p99 === undefined
        ? "not measured"
        : `${(p99 / CEILING_MS).toFixed(2)}× the 1 s ceiling: ${p99 <= CEILING_MS ? "met" : "**not met**"}`;
    return `| ${RUNTIME_NAMES[r.runtime] ?? r.runtime}${crowd} | ${ms(r.applicationFromDecidedAt)} | ${ms(r.applicationFromHttpAnswer)} | ${ms(r.lastWatcherCounts)} | ${verdict} |`;
  });
  const checks = raw.results.map(
    (r) =>
      `| ${r.runtime} | ${r.answers.won} / ${r.answers.waitlisted} / ${r.answers.refused} / ${r.answers.other} | ${r.rushMs} | ${r.applicationMissing} / ${r.applicationDuplicated} / ${r.applicationMismatched} | ${r.watchers.behind} | ${r.watchers.reconnected} | ${r.watchers.countsMessages} | ${r.watchers.openMs} / ${r.membersOpenMs} |`,
  );
  const memory = raw.results.map(
    (r) =>
      `| ${r.runtime} | ${mem(r.memory.idle)} | ${mem(r.memory.socketsOpen)} | ${mem(r.memory.afterRush)} |`,
  );
  return `## Live room (issue 15)

${s.watchers.toLocaleString("en")} public watchers on one trial while ${s.members.toLocaleString("en")} members apply at once, each member
holding a ticketed socket of their own (${(s.watchers + s.members).toLocaleString("en")} sockets). The trial has ${s.slots} places and
${s.waitlist} waiting places, so it fills during the rush (a \`status\` message) and the last ${s.members - s.slots - s.waitlist} are refused.
Watchers run in a Node process of their own (the \`ws\` package through \`clients/trial-room.ts\`),
opened ${s.batch} at a time; members, their tickets and their applications in the bench's process.
Every clock is the same machine's: the gate's \`decidedAt\` (ms) and the clients' Date.now().

- **application**: decision → the member's \`application\` message; from the gate's \`decidedAt\`
  (the decision itself), and from the arrival of the HTTP answer (negative: the socket was first).
- **last watcher's counts**: for each admitted decision (seq k), \`decidedAt\` → the moment the
  last of the ${s.watchers.toLocaleString("en")} watchers received a \`counts\` with applicants ≥ k. Target: p99 ≤ 1 s.

Command: \`${raw.command}\` (${raw.date}). ${machineSentence(raw.machine)} Load average before
${raw.loadAverageBefore.join(" ")}, after ${raw.loadAverageAfter.join(" ")}. The servers, the
watchers' process and the bench share the machine's ${raw.machine.nproc} CPUs. Raw: \`${relative(ROOT, file)}\`.

${
  failures.length
    ? `Runs the server could not finish (the bench then halves the watchers, at most twice):

${failures.join("\n")}

`
    : ""
}| Server | application, ms from decidedAt (p50 / p99 / max) | application, ms from the HTTP answer (p50 / p99 / max) | last watcher's counts, ms (p50 / p99 / max) | p99 against the target |
|---|---|---|---|---|
${rows.join("\n")}

| Runtime | WON / WAITLISTED / 409 / other | rush, ms | application missing / twice / wrong | watchers behind at the end | watchers reconnected | counts messages | open ms: watchers / members |
|---|---|---|---|---|---|---|---|
${checks.join("\n")}

What a socket costs a server in file descriptors (wrangler dev carries each through its proxy
to workerd, so it holds several per socket):

${raw.results.map((r) => descriptorsPerSocket(r, limit)).join("\n")}

Memory: resident set (MiB) of the server's process group (wrangler's Node and workerd, or Deno),
and the file descriptors it holds, from /proc:

| Runtime | idle, trial created | all sockets open | after the rush, all sockets still open |
|---|---|---|---|
${memory.join("\n")}
`;
}
