// CI's proof of the newcomer path: `npm start` (or `npm run start:deno`, given as the first
// argument) with no DATABASE_URL (embedded Postgres) in a throwaway data folder answers
// /healthz 200, serves a sign-up, and Ctrl-C stops everything.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPortFree } from "./lib/wrangler";

const script = process.argv[2] ?? "start";
if (script !== "start" && script !== "start:deno") throw new Error(`unknown script ${script}`);
const command = script === "start" ? "npm start" : "npm run start:deno";
const port = 18_000 + Math.floor(Math.random() * 2000);
const dataDir = mkdtempSync(join(tmpdir(), "tryit-smoke-"));
const base = `http://127.0.0.1:${port}`;
const fail = (message: string): never => {
  throw new Error(`smoke: ${message}`);
};

const { DATABASE_URL: _ignored, ...env } = process.env;
const child = spawn("npm", ["run", script], {
  env: { ...env, PORT: String(port), TRYIT_DATA_DIR: dataDir },
  stdio: ["ignore", "inherit", "inherit"],
  detached: true,
});
const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

async function healthy(deadline: number): Promise<unknown> {
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/healthz`).catch(() => null);
    if (res?.status === 200) return res.json();
    await new Promise((r) => setTimeout(r, 500));
  }
  return fail("no 200 from /healthz within 120 s");
}

try {
  const health = (await healthy(Date.now() + 120_000)) as { checks?: { db?: string } };
  if (health.checks?.db !== "ok") fail(`unexpected health ${JSON.stringify(health)}`);
  const signup = await fetch(`${base}/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "smoke@tryit.test", password: "long-enough", name: "Smoke" }),
  });
  if (signup.status !== 201) fail(`sign-up answered ${signup.status}`);
  console.log(`smoke: /healthz 200 and sign-up 201 on the embedded default (${command}, ${base})`);
  // The newcomer's demo: `npm run seed`, then the load command it prints (issue 8).
  const seedEnv = {
    ...env,
    TRYIT_URL: base,
    TRYIT_SEED_FILE: join(dataDir, "seed.json"),
    SEED_MEMBERS: "12",
    SEED_OPENS_IN_SECONDS: "5",
  };
  const seed = spawnSync("npm", ["run", "--silent", "seed"], { env: seedEnv, encoding: "utf8" });
  if (seed.status !== 0) fail(`npm run seed failed: ${seed.stderr || seed.stdout}`);
  if (!seed.stdout.includes("npm run seed:rush"))
    fail("npm run seed did not print the rush command");
  const rush = spawnSync("npm", ["run", "--silent", "seed:rush"], {
    env: seedEnv,
    encoding: "utf8",
  });
  const outcome = rush.stdout;
  const counts = [/WON\s+5\b/, /WAITLISTED\s+5\b/, /refused\s+2\b/];
  if (rush.status !== 0 || !counts.every((c) => c.test(outcome))) {
    fail(`npm run seed:rush: ${outcome}${rush.stderr}`);
  }
  console.log(`smoke: npm run seed, then npm run seed:rush: 5 WON, 5 WAITLISTED, 2 refused`);
} finally {
  // Ctrl-C as a terminal sends it: to the whole process group.
  if (child.pid) process.kill(-child.pid, "SIGINT");
  const code = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => r("timeout"), 20_000)),
  ]);
  rmSync(dataDir, { recursive: true, force: true });
  if (code === "timeout") fail(`${command} did not stop within 20 s of SIGINT`);
  if (!(await isPortFree(port))) fail(`port ${port} still in use after stopping`);
  console.log(`smoke: ${command} stopped cleanly on SIGINT`);
}
