/**
 * `npm test`: every suite, one after another (2-core machines), then one plain line:
 * "N passed, N failed, N skipped" over all of them.
 *   1. the Workers suite in workerd (vitest.config.ts)
 *   2. the HTTP contract suite against `wrangler dev` (vitest.contract.config.ts)
 *   3. the same contract suite against two Deno servers sharing one KV file, plus the
 *      Deno-only crash-repair tests
 *   4. the Deno KV gate's own tests under the deno binary
 *   5. the Node-only tests that read the repository itself, e.g. the import layers
 *      (vitest.node.config.ts)
 * Extra arguments go to every vitest run (`npm test -- test/applications` narrows them; a suite with
 * no matching file then passes empty). Every suite always runs; the exit status fails if
 * any did.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** A failed test named in the summary, so the last lines of a CI log say what broke. */
interface Failure {
  where: string;
  message: string;
}

const reports = mkdtempSync(join(tmpdir(), "tryit-test-"));
const extra = process.argv.slice(2);
const narrowed = extra.length > 0 ? ["--passWithNoTests"] : [];

function run(command: string, args: string[], env: Record<string, string> = {}): number {
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (result.error) {
    console.error(`could not run ${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

function vitest(name: string, config: string, env: Record<string, string> = {}) {
  const report = join(reports, `${name}.json`);
  const status = run(
    "vitest",
    [
      "run",
      "--config",
      config,
      "--reporter=default",
      "--reporter=json",
      `--outputFile=${report}`,
      ...narrowed,
      ...extra,
    ],
    env,
  );
  return { name, status, ...vitestReport(report) };
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

function vitestReport(file: string): { counts: Counts | null; failures: Failure[] } {
  if (!existsSync(file)) return { counts: null, failures: [] };
  const r = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  const failures: Failure[] = [];
  for (const suite of r.testResults) {
    const where = relative(process.cwd(), suite.name);
    const failed = suite.assertionResults.filter((test) => test.status === "failed");
    for (const test of failed) {
      failures.push({
        where: `${where} > ${test.fullName}`,
        message: test.failureMessages[0] ?? "",
      });
    }
    // A file that failed with no failed test (it did not load, or a hook threw) says why in
    // its own message.
    if (suite.status === "failed" && failed.length === 0) {
      failures.push({ where, message: suite.message ?? "" });
    }
  }
  return {
    counts: {
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: r.numPendingTests + r.numTodoTests,
    },
    failures,
  };
}

function xmlText(s: string): string {
  const entities: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => entities[e] ?? "");
}

function firstLine(message: string): string {
  const line = message.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function denoTests() {
  const report = join(reports, "deno.xml");
  const status = run("deno", [
    "test",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    // The live room's tests serve real WebSockets on the loopback.
    "--allow-net=127.0.0.1",
    `--junit-path=${report}`,
    "deno/",
  ]);
  let counts: Counts | null = null;
  const failures: Failure[] = [];
  if (existsSync(report)) {
    const xml = readFileSync(report, "utf8");
    const head = xml.match(/<testsuites [^>]*>/)?.[0] ?? "";
    const attr = (n: string) => Number(head.match(new RegExp(`${n}="(\\d+)"`))?.[1] ?? 0);
    const failed = attr("failures") + attr("errors");
    counts = { passed: attr("tests") - failed, failed, skipped: 0 };
    // <testcase name="…" classname="./file.ts" …> <failure message="…"> for each failed test.
    const failedCase =
      /<testcase name="([^"]*)" classname="([^"]*)"[^>]*>\s*<(?:failure|error)(?: message="([^"]*)")?/g;
    for (const [, test, file, message] of xml.matchAll(failedCase)) {
      failures.push({
        where: `${xmlText(file ?? "")} > ${xmlText(test ?? "")}`,
        message: xmlText(message ?? ""),
      });
    }
  }
  return { name: "deno-gate", status, counts, failures };
}

const results = [
  vitest("workers", "vitest.config.ts"),
  vitest("contract-workers", "vitest.contract.config.ts", { CONTRACT_TARGET: "workers" }),
  vitest("contract-deno", "vitest.contract.config.ts", { CONTRACT_TARGET: "deno" }),
  denoTests(),
  vitest("node", "vitest.node.config.ts"),
];
rmSync(reports, { recursive: true, force: true });

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
console.log("\n==== test suites ====");
for (const { name, status, counts } of results) {
  // A suite that died before reporting counts as one failure, never as nothing.
  const c = counts ?? { passed: 0, failed: 1, skipped: 0 };
  if (status !== 0 && c.failed === 0) c.failed = 1;
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
  console.log(`${name.padEnd(18)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
}
const failures = results.flatMap((r) => r.failures.map((f) => ({ suite: r.name, ...f })));
if (failures.length > 0) {
  console.log("\n==== failed ====");
  for (const f of failures) console.log(`${f.suite}: ${f.where}\n    ${firstLine(f.message)}`);
  console.log("");
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
