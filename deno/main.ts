/**
 * The Deno entry (Deno Deploy, or `npm run start:deno` locally): the same app factory as the
 * Workers entry, served by Deno.serve, with the gates on Deno KV and the scheduled work on
 * Deno.cron. Wiring only; the Deno implementations live beside it in deno/.
 *
 * Env: everything workers/config.ts reads, plus PORT / HOST (local), DENO_KV_PATH (a local
 * KV file; unset on Deploy), S3_* for images (or TRYIT_BLOB_DIR locally).
 */

import { log } from "../core/log.ts";
import { newApp } from "../workers/app.ts";
import { registerCrons } from "./jobs.ts";
import { denoRuntime, denoServices } from "./runtime.ts";

const env = Deno.env.toObject();
const kv = await Deno.openKv(env.DENO_KV_PATH || undefined);
const services = denoServices(env, kv);
const app = newApp(denoRuntime(services));
registerCrons(services);

const server = Deno.serve(
  {
    hostname: env.HOST ?? "0.0.0.0",
    port: Number(env.PORT ?? 8000),
    onListen: ({ hostname, port }) => log.info("deno.listening", { hostname, port }),
  },
  app.fetch,
);

// A clean stop finishes the responses in flight and the background work they started.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await server.shutdown();
    await services.background.settle();
    await services.database.end().catch(() => {});
    kv.close();
    Deno.exit(0);
  });
}
