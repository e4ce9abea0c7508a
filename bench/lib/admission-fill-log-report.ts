import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fmt, loadAvg, round } from "./admission-figures";
import { type FillLogResult, MAX_COST } from "./admission-fill-log";
import { COMMAND, CONNECTIONS, POSTFILL_SECONDS, REPEATS, SLOTS } from "./admission-settings";
import { type MachineInfo, machineSentence } from "./machine";
import { writeSection } from "./results";
import { ROOT } from "./stack";

/**
 * The fill log's cost, recorded: bench/results/admission-fill-log-<date>.json and a
 * subsection of its own right after the admission section of bench/RESULTS.md (its own
 * markers, so a run of this section alone leaves the rest of the admission figures alone).
 */

export interface FillLogRaw extends FillLogResult {
  bench: "admission-fill-log";
  date: string;
  command: string;
  settings: {
    slots: number;
    connections: number;
    repeats: number;
    postFillSeconds: number;
    serverVars: Record<string, string>;
  };
  durationSeconds: number;
  machine: MachineInfo;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

const SECTION = "admission-fill-log";

export function recordFillLog(raw: FillLogRaw): string {
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `admission-fill-log-${raw.date.slice(0, 19).replace(/:/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  const results = join(ROOT, "bench/RESULTS.md");
  placeAfterAdmission(results);
  const body = fillLogReport(raw, relative(ROOT, file));
  writeSection(results, SECTION, body);
  return body;
}

/** The first time: empty markers right after the admission section, for writeSection to fill. */
function placeAfterAdmission(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  const end = "<!-- admission:end -->";
  const at = text.indexOf(end);
  if (text.includes(`<!-- ${SECTION}:start -->`) || at < 0) return;
  const markers = `\n\n<!-- ${SECTION}:start -->\n<!-- ${SECTION}:end -->`;
  writeFileSync(file, text.slice(0, at + end.length) + markers + text.slice(at + end.length));
}

function fillLogReport(raw: FillLogRaw, file: string): string {
  const only = raw.command.includes("BENCH_ONLY=fill-log");
  const vars = Object.entries(raw.settings.serverVars);
  const lines = [
    "### What the public fill log and the receipts cost (issue 16: ≤ 10 % of admission throughput)",
    "",
    `Run ${raw.date} with \`${raw.command}\`${only ? " (this section alone; also part of `npm run bench:admission`)" : ""}, ${round(raw.durationSeconds / 60, 1)} min. ${machineSentence(raw.machine)} Load average (1, 5, 15 min) before: ${loadAvg(raw.loadAverageBefore)}; after: ${loadAvg(raw.loadAverageAfter)}. Raw: \`${file}\`.`,
    "",
    `The flood of the section above (group commit, no Redis, a fresh trial of ${raw.settings.slots} places filled by as many members at ${raw.settings.connections} connections, then ${raw.settings.postFillSeconds} s of post-fill 409s; Deno two processes on one KV file), against two builds up side by side on their own ports: **on** is this tree (\`${raw.builds.on.commit.slice(0, 7)}\`: every admission chained into the fill log in the gate's transaction, the answer carrying a signed receipt); **off** is the same commit with the chain and the receipts taken out and nothing else changed (\`bench/lib/fill-log-off-build.ts\`: \`recordInLog\` writes no entries, so no hashing, no log rows or keys and no receipt to sign; \`memberTagOf\` does no HMAC; the JWKS answers 404 so the bench can tell the builds apart), checked out by the bench with \`git worktree add --detach\` in a temp folder sharing this checkout's node_modules, edited there, its servers started from there, and removed after. (Until 30 November the off build was commit 610a5b7, the app before issue 16; by then 73 commits of other work (the draw, the confirmation window, strikes) separated the two builds, so their difference priced much more than the chain.) Both get the same settings (the receipt key too)${vars.length ? ` and BENCH_SERVER_VARS ${vars.map(([k, v]) => `${k}=${v}`).join(", ")}` : ""}. The builds take turns, on, off | off, on | …, ${raw.settings.repeats} runs each, so a drift in the machine's load hits both; each run is checked by the admission invariants. Applications/s is the fill's answers ÷ its wall clock; medians per build.`,
    "",
    "| runtime | CPU ms per application: on | off | off ÷ on (throughput ratio) | cost | ≤ 10 % | CPU runs (ms, in order) | on: applications/s | off: applications/s | on ÷ off (wall clock) | off ÷ on CPU, fill window only | fill answers not 201 (on / off) | invariants |",
    "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|---|",
    ...raw.runtimes.map((r) => {
      const cpuOrder = r.runs.map((x) => `${x.build} ${fmt(x.cpuMsPerApplication, 2)}`).join(", ");
      const ok = r.runs.every((x) => x.invariants.ok);
      const not201 = (b: "on" | "off") =>
        r.runs
          .filter((x) => x.build === b)
          .reduce((n, x) => n + x.load.requests.total - (x.load.statusCodes["201"] ?? 0), 0);
      return `| ${r.runtime} | ${fmt(r.cpuOn, 2)} | ${fmt(r.cpuOff, 2)} | ${fmt(r.cpuRatio, 3)} | ${fmt((1 - r.cpuRatio) * 100, 1)} % | ${r.met ? "**met**" : "not met"} | ${cpuOrder} | ${fmt(r.on)} | ${fmt(r.off)} | ${fmt(r.ratio, 3)} | ${fmt(r.fillWindowCpuRatio, 3)} | ${not201("on")} / ${not201("off")} | ${ok ? "exact, both builds" : "**BROKEN**"} |`;
    }),
    "",
    `**How it is judged.** At saturation both builds are CPU-bound on the same two cores, so their throughput ratio is the inverse ratio of the CPU one admission takes: off ÷ on CPU per application. That is what the target (≥ ${1 - MAX_COST}, i.e. at most ${MAX_COST * 100} % of throughput) is judged on: the CPU time of each build's own server processes (wrangler with its workerd, or both Deno processes; /proc, user + system) from the fill's start until Postgres holds every admission, divided by the applications it admitted; the post-fill runs after that. Until 30 November only the fill's wall clock was counted (its ratio is kept in the table): that cut the pipeline (outbox, consumer, Postgres writes, all in the same processes) at a point set by the build's own speed, so the faster build left more of its persistence outside the window and looked cheaper by it. The wall-clock figures are kept beside it, but two cores also carry the load generator, Postgres, the pipeline and whatever else the machine runs, so a single build's applications/s varied up to 2.5× between runs here (the two runs of this section before the CPU measure, on a busier machine, gave workerd on ÷ off 0.781 and 0.868 (raw: \`bench/results/admission-fill-log-2026-11-30T11-*.json\`)); CPU per application is not stretched by another job's load. Not counted: Postgres and the proxy, whose work is the same for both builds (the log is not in Postgres).`,
  ];
  return lines.join("\n");
}

/** Settings of this section as recorded. */
export function fillLogSettings(serverVars: Record<string, string>): FillLogRaw["settings"] {
  return {
    slots: SLOTS,
    connections: CONNECTIONS,
    repeats: REPEATS,
    postFillSeconds: POSTFILL_SECONDS,
    serverVars,
  };
}

/** The command as run, with the settings it was given. */
export function fillLogCommand(): string {
  const names = [
    "BENCH_ONLY",
    "BENCH_REPEATS",
    "BENCH_RUNTIMES",
    "BENCH_SLOTS",
    "BENCH_CONNECTIONS",
  ];
  const set = names.filter((n) => process.env[n]).map((n) => `${n}=${process.env[n]}`);
  return [...set, COMMAND].join(" ");
}
