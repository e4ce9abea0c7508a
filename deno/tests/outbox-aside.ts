/**
 * Loses a trial's queue messages, and finds them again: `hide` moves the trial's KV outbox
 * entries aside (the drain no longer sees them, as if the messages were lost), `restore` puts
 * them back (the messages arrive late). Prints how many entries it moved.
 * Usage: outbox-aside.ts <kvPath> <trialId> hide|restore
 */
import { gateKeys } from "../keys.ts";

const [path, trialId, action] = Deno.args;
if (!path || !trialId || (action !== "hide" && action !== "restore")) {
  throw new Error("usage: outbox-aside.ts <kvPath> <trialId> hide|restore");
}
const outbox = gateKeys.outboxPrefix(trialId);
const aside: Deno.KvKey = ["outbox-aside", ...outbox.slice(1)];
const [from, to] = action === "hide" ? [outbox, aside] : [aside, outbox];
const kv = await Deno.openKv(path);
let moved = 0;
for await (const entry of kv.list({ prefix: from })) {
  const key = [...to, ...entry.key.slice(from.length)];
  const ok = await kv.atomic().check(entry).delete(entry.key).set(key, entry.value).commit();
  if (!ok.ok) throw new Error(`outbox entry changed while being moved: ${String(entry.key)}`);
  moved++;
}
kv.close();
console.log(JSON.stringify({ moved }));
