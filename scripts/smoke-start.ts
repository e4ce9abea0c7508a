// CI's proof of the newcomer path: `npm start` (or `npm run start:deno`, given as the first
// argument) with no DATABASE_URL (embedded Postgres) and no Redis in a throwaway data folder
// answers /healthz 200, serves a sign-up, runs the demo seed and rush, limits rates (API.md:
// "Rate limits hold in every configuration, the embedded default included"), and Ctrl-C
// stops everything.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRate, RATE_LIMITS } from "../workers/rate-limits";
import { isPortFree } from "./local-stack/supervision/readiness";
import type { SeedFile } from "./seed/file";

const script = process.argv[2] ?? "start";
if (script !== "start" && script !== "start:deno") throw new Error(`unknown script ${script}`);
const command = script === "start" ? "npm start" : "npm run start:deno";
const port = 18_000 + Math.floor(Math.random() * 2000);
const dataDir = mkdtempSync(join(tmpdir(), "tryit-smoke-"));
const base = `http://127.0.0.1:${port}`;
const fail = (message: string): never => {
  throw new Error(`smoke: ${message}`);
};

// The embedded default: no database URL, no Redis (REDIS_URL would turn the cache on).
const { DATABASE_URL: _ignored, REDIS_URL: _noRedis, ...env } = process.env;
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
  const signup = await fetchAnswer(`${base}/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "smoke@tryit.test", password: "long-enough", name: "Smoke" }),
  });
  if (signup.status !== 201) fail(`sign-up answered ${signup.status}`);
  console.log(`smoke: /healthz 200 and sign-up 201 on the embedded default (${command}, ${base})`);
  // What README.md promises a newcomer: opening the root in a browser shows the trials page.
  const home = await fetchAnswer(`${base}/`, { headers: { "accept-language": "en" } });
  const homeHtml = await home.text();
  if (home.status !== 200 || !homeHtml.includes("<h1>Product trials</h1>")) {
    fail(`GET / answered ${home.status}, not the trials page: ${homeHtml.slice(0, 200)}`);
  }
  console.log("smoke: GET / is the trials page");
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

  const seeded = JSON.parse(readFileSync(seedEnv.TRYIT_SEED_FILE, "utf8")) as SeedFile;
  await applyUntilLimited(seeded);
  await wrongPasswordsUntilLimited("smoke@tryit.test");
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

/**
 * fetch, sent once more when the socket it went out on was already closed: Node keeps idle
 * connections to the server for reuse, and the server may close one (its keep-alive timeout,
 * while the seed scripts ran) just as a request is written to it (EPIPE, ECONNRESET before
 * any answer). That request never arrived; a CI run once failed on exactly that.
 */
async function fetchAnswer(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code ?? "";
    if (!["EPIPE", "ECONNRESET", "UND_ERR_SOCKET"].includes(code)) throw err;
    return fetch(url, init);
  }
}

interface Answer {
  status: number;
  body: { id?: string; error?: { code?: string } } | null;
  retryAfter: string | null;
}

async function post(path: string, body: unknown, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetchAnswer(`${base}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    retryAfter: res.headers.get("retry-after"),
  };
}

/** Repeats `attempt` until its first 429 (at most `cap` tries); the answers before it, and it. */
async function untilLimited(cap: number, attempt: () => Promise<Answer>) {
  const before: Answer[] = [];
  for (let i = 0; i < cap; i++) {
    const res = await attempt();
    if (res.status === 429) {
      if (res.body?.error?.code !== "RATE_LIMITED")
        fail(`429 without RATE_LIMITED: ${JSON.stringify(res.body)}`);
      if (!/^[1-9]\d*$/.test(res.retryAfter ?? ""))
        fail(`429 without a Retry-After (${res.retryAfter})`);
      return { before, refused: res };
    }
    before.push(res);
  }
  return fail(`no 429 after ${cap} attempts`);
}

/**
 * A member applying again and again to one open trial: the first answer is 201, the repeats
 * 200 with the same application, until the per-member limit answers 429 with Retry-After.
 */
async function applyUntilLimited(seeded: SeedFile): Promise<void> {
  const member = seeded.members[0] ?? fail("the seed made no member");
  const login = await post("/v1/auth/login", { email: member, password: seeded.password });
  if (login.status !== 200) fail(`member login answered ${login.status}`);
  const token = (login.body as { accessToken?: string }).accessToken;
  const { limit, windowSeconds } = parseRate(RATE_LIMITS.applyPerMember.standard);
  // Three windows' worth: the count restarts if a window ends half-way through.
  const { before, refused } = await untilLimited(3 * limit + 1, () =>
    post(`/v1/trials/${seeded.openTrialId}/applications`, {}, token),
  );
  const statuses = before.map((a) => a.status);
  if (statuses[0] !== 201 || statuses.slice(1).some((s) => s !== 200)) {
    fail(`applies before the 429 answered ${statuses.join(", ")}`);
  }
  if (new Set(before.map((a) => a.body?.id)).size !== 1) fail("repeats got another application");
  console.log(
    `smoke: apply route: 201, then ${before.length - 1} × 200 (the same application), then 429 RATE_LIMITED, Retry-After ${refused.retryAfter} (limit ${limit} per ${windowSeconds} s per member)`,
  );
}

/** Wrong passwords for one account in a row: 401 each, until the login limit answers 429. */
async function wrongPasswordsUntilLimited(email: string): Promise<void> {
  const { limit, windowSeconds } = parseRate(RATE_LIMITS.loginPerEmail.standard);
  const { before, refused } = await untilLimited(3 * limit + 1, () =>
    post("/v1/auth/login", { email, password: "not-the-password" }),
  );
  if (before.some((a) => a.status !== 401 || a.body?.error?.code !== "INVALID_CREDENTIALS")) {
    fail(`wrong passwords before the 429 answered ${before.map((a) => a.status).join(", ")}`);
  }
  console.log(
    `smoke: ${before.length} wrong passwords answered 401, the next one 429 RATE_LIMITED, Retry-After ${refused.retryAfter} (limit ${limit} per ${windowSeconds} s per e-mail)`,
  );
}
