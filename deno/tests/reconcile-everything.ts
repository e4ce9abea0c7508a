/**
 * One reconciliation pass over every eligible trial at once (one slice, a page budget to
 * match), with the Deno target's own wiring (denoServices: the KV gates, the in-process
 * notifications queue), then waits for the sends it started. Without the statistics the cron
 * runs beside it: a test's KV file knows only its own trials, and must not move the shared
 * database's statistics checkpoints. Prints the summary as JSON on the last line.
 * Same environment as deno/main.ts.
 */
import { connect } from "../../db/client.ts";
import { RECONCILE_LIMITS, reconcileTrials } from "../../workers/scheduled/reconcile.ts";
import { denoServices } from "../runtime.ts";

const env = Deno.env.toObject();
const kv = await Deno.openKv(env.DENO_KV_PATH || undefined);
const services = denoServices(env, kv);
const conn = await connect(services.config.database);
try {
  const summary = await reconcileTrials(
    conn.db,
    services.gates,
    services.notifications,
    new Date(),
    {
      ...RECONCILE_LIMITS,
      maxTrials: 100_000,
      maxPages: 100_000,
    },
  );
  await services.background.settle();
  // Not the unknown rows: every other test's rows are unknown to this KV file.
  const { trialsChecked, rowsRepaired, conflicts, failedTrials, truncated } = summary;
  console.log(JSON.stringify({ trialsChecked, rowsRepaired, conflicts, failedTrials, truncated }));
} finally {
  await conn.close();
  kv.close();
}
