/**
 * Runs one scheduled job now and exits: `npm run deno:job -- minute` drains the KV outbox
 * into Postgres (and the rest of the minute job) without waiting for Deno.cron. Operators
 * use it after an outage; the crash-repair test uses it to be deterministic.
 * Same environment as deno/main.ts.
 */
import { isJobName, JOBS, runJob } from "./jobs.ts";
import { denoServices } from "./runtime.ts";

const name = Deno.args[0] ?? "";
if (!isJobName(name)) {
  console.error(`usage: run-job.ts <${Object.keys(JOBS).join("|")}>`);
  Deno.exit(2);
}
const env = Deno.env.toObject();
const kv = await Deno.openKv(env.DENO_KV_PATH || undefined);
const services = denoServices(env, kv);
const ok = await runJob(services, name);
await services.background.settle();
kv.close();
// A failed step is in the log above; the exit status tells a script or an operator.
Deno.exit(ok ? 0 : 1);
