// `npm start`: the whole app on one machine with nothing installed but Node.
//   1. a database: DATABASE_URL if set, else embedded PGlite persisted in .data/pglite
//   2. a WebSocket proxy in front of it (the Neon driver in workerd speaks WebSocket, not TCP)
//   3. migrations
//   4. `wrangler dev` with the connection details, a dev JWT secret, a dev receipt signing
//      key and dev personal data keys (all made once under .data/) as vars
//   5. cron triggers, fired locally (wrangler dev never fires them itself)
//   With REDIS_URL (e.g. redis://127.0.0.1:6379): the Upstash REST bridge in front of it,
//   so the read cache is on. Rate limits are on either way (wrangler's [[ratelimits]]).
// Ctrl-C stops all of it, workerd included. Env: PORT (8787), DATABASE_URL, JWT_SECRET,
// RECEIPT_SIGNING_KEY, RECEIPT_PUBLIC_KEYS, PERSONAL_DATA_KEYS, PERSONAL_DATA_KEY_ID, PUBLIC_URL, TRYIT_WRANGLER_CONFIG (another wrangler config, e.g. a throwaway one).
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type CronFirer,
  readCronsFromWranglerToml,
  startCronFirer,
} from "./local-stack/cron/cron-firer";
import { type DevServices, startDevServices } from "./local-stack/dev-services";
import { clearLeftovers, forgetGroup, recordGroup } from "./local-stack/supervision/leftovers";
import { isPortFree, waitForHttp } from "./local-stack/supervision/readiness";
import { handleShutdown } from "./local-stack/supervision/shutdown";
import { spawnWranglerDev, type WranglerDev } from "./local-stack/supervision/wrangler-dev";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// TRYIT_DATA_DIR moves everything `npm start` keeps (database, dev secret, wrangler state),
// e.g. for the CI smoke run, which must not touch a developer's .data/.
const DATA = process.env.TRYIT_DATA_DIR
  ? resolve(process.env.TRYIT_DATA_DIR)
  : resolve(ROOT, ".data");
const PORT = Number(process.env.PORT ?? 8787);
const CONFIG = process.env.TRYIT_WRANGLER_CONFIG
  ? resolve(process.env.TRYIT_WRANGLER_CONFIG) // relative to where you run it, like any path
  : resolve(ROOT, "wrangler.toml");
const log = (message: string) => console.log(`[start] ${message}`);
// wrangler's process group while it runs: a start after a crash ends what this one left.
const GROUP_FILE = resolve(DATA, "server-group.json");

// Everything started so far, stopped in reverse order by shutdown().
let services: DevServices | undefined;
let wrangler: WranglerDev | undefined;
let cron: CronFirer | undefined;

async function main(): Promise<void> {
  if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) throw new Error(`bad PORT: ${PORT}`);
  await clearLeftovers(GROUP_FILE, log);
  if (!(await isPortFree(PORT))) {
    throw new Error(`port ${PORT} is in use (another \`npm start\`?). Stop it or set PORT.`);
  }
  services = await startDevServices(DATA, log);
  const { db, vars } = services;

  wrangler = spawnWranglerDev(
    resolve(ROOT, "node_modules/.bin/wrangler"),
    [
      ...["--config", CONFIG, "--ip", "127.0.0.1", "--port", String(PORT)],
      // /cdn-cgi/handler/scheduled works without it; the flag stops wrangler from warning that
      // crons are not fired locally (we fire them) and adds its /__scheduled page.
      "--test-scheduled",
      ...["--persist-to", resolve(DATA, "wrangler"), "--show-interactive-dev-session=false"],
      // --var KEY:VALUE; wrangler splits at the first colon only, so URLs are safe.
      // Note: like any argv, these are visible in `ps` on this machine (dev-only values).
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: ROOT, env: { WRANGLER_SEND_METRICS: "false", ...process.env } },
  );
  recordGroup(GROUP_FILE, wrangler);
  void wrangler.exited.then((code) => {
    if (!isShuttingDown()) void shutdown(`wrangler exited (code ${code})`, code ?? 1);
  });

  const base = `http://127.0.0.1:${PORT}`;
  await waitForHttp(`${base}/healthz`, { giveUp: wrangler.exited });
  if (isShuttingDown()) return;
  console.log(`\nTry-it API ready on ${base} (database: ${db.kind})\n`);

  const crons = readCronsFromWranglerToml(CONFIG);
  cron = startCronFirer({ crons, fire: (c, t) => fireScheduled(base, c, t), log });
  if (crons.length) log(`firing crons locally: ${crons.join(", ")}`);
}

async function fireScheduled(base: string, cronExpr: string, time: number): Promise<void> {
  const url = `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cronExpr)}&time=${time}`;
  const res = await fetch(url);
  const body = (await res.text()).trim();
  // miniflare answers 200 "ok", or 500 with the outcome (e.g. "exception") if the handler threw.
  if (!res.ok) throw new Error(`scheduled handler answered ${res.status} ${body}`);
}

const { shutdown, isShuttingDown } = handleShutdown("start", log, async (step) => {
  // Reverse order of start. No new cron ticks from here on; a tick in flight fails fast once
  // wrangler is gone, so it is awaited after wrangler stops.
  const cronStopped = cron?.stop();
  await step("wrangler", async () => {
    await wrangler?.stop();
    if (wrangler) forgetGroup(GROUP_FILE);
  });
  await step("cron", () => cronStopped);
  await step("database, proxy and bridge", () => services?.stop()); // flushes .data/pglite
});

main().catch((err: unknown) => {
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}${cause}`);
  void shutdown("startup failed", 1);
});
