// `npm run start:deno`: the same API on Deno, on this machine, with nothing installed but
// Node (the deno binary comes from npm). Like `npm start`: a database (DATABASE_URL, else
// embedded PGlite), the WebSocket proxy, migrations, a dev JWT secret, receipt signing key
// and personal data keys, REDIS_URL optional; then `deno run deno/main.ts` with Deno KV in a local file and
// images in a local folder (S3_* to use an S3-compatible store instead). Deno.cron fires the scheduled jobs itself.
// Its data lives in .data/deno/ (TRYIT_DATA_DIR to move it), apart from `npm start`'s: a
// trial's gate lives in the runtime that created it (Durable Object storage or Deno KV).
// Env: PORT (8000), DATABASE_URL, JWT_SECRET, RECEIPT_SIGNING_KEY, RECEIPT_PUBLIC_KEYS,
// PERSONAL_DATA_KEYS, PERSONAL_DATA_KEY_ID, PUBLIC_URL, REDIS_URL, S3_*.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevServices, startDevServices } from "./local-stack/dev-services";
import { denoServerArgs } from "./local-stack/supervision/deno-server";
import { clearLeftovers, forgetGroup, recordGroup } from "./local-stack/supervision/leftovers";
import { type ServerProcess, spawnProcessGroup } from "./local-stack/supervision/process-group";
import { isPortFree, waitForHttp } from "./local-stack/supervision/readiness";
import { handleShutdown } from "./local-stack/supervision/shutdown";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATA = process.env.TRYIT_DATA_DIR
  ? resolve(process.env.TRYIT_DATA_DIR)
  : resolve(ROOT, ".data/deno");
const PORT = Number(process.env.PORT ?? 8000);
const log = (message: string) => console.log(`[start:deno] ${message}`);
// deno's process group while it runs: a start after a crash ends what this one left.
const GROUP_FILE = resolve(DATA, "server-group.json");

let services: DevServices | undefined;
let deno: ServerProcess | undefined;

async function main(): Promise<void> {
  if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) throw new Error(`bad PORT: ${PORT}`);
  await clearLeftovers(GROUP_FILE, log);
  if (!(await isPortFree(PORT))) {
    throw new Error(`port ${PORT} is in use (another start?). Stop it or set PORT.`);
  }
  services = await startDevServices(DATA, log);
  const { bin, args } = denoServerArgs(ROOT, DATA);
  deno = spawnProcessGroup(bin, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      ...services.vars,
      HOST: "127.0.0.1",
      PORT: String(PORT),
      DENO_KV_PATH: resolve(DATA, "kv.sqlite3"),
      TRYIT_BLOB_DIR: resolve(DATA, "blobs"),
    },
  });
  recordGroup(GROUP_FILE, deno);
  void deno.exited.then((code) => {
    if (!isShuttingDown()) void shutdown(`deno exited (code ${code})`, code ?? 1);
  });
  const base = `http://127.0.0.1:${PORT}`;
  await waitForHttp(`${base}/healthz`, { giveUp: deno.exited });
  if (isShuttingDown()) return;
  console.log(`\nTry-it API (Deno) ready on ${base} (database: ${services.db.kind})\n`);
}

const { shutdown, isShuttingDown } = handleShutdown("start:deno", log, async (step) => {
  await step("deno", async () => {
    await deno?.stop();
    if (deno) forgetGroup(GROUP_FILE);
  });
  await step("database, proxy and bridge", () => services?.stop());
});

main().catch((err: unknown) => {
  console.error(`[start:deno] ${err instanceof Error ? err.message : String(err)}`);
  void shutdown("startup failed", 1);
});
