import assert from "node:assert/strict";
import { kvTrialGates } from "../kv-gate.ts";
import { tempKv } from "./helpers.ts";

/**
 * Issue 13, finding 11: anyone can name any trial id, so a gate asked about a trial nobody
 * configured must store nothing. Every verb but configure, on a trial that does not exist.
 */
Deno.test("the KV gate of an unknown trial answers every call and writes no key", async () => {
  const { kv, close } = await tempKv();
  try {
    const gate = kvTrialGates(kv).get(crypto.randomUUID());
    assert.equal(await gate.snapshot(), null);
    assert.equal(await gate.closedNotice(), null);
    assert.equal(await gate.findApplication("member-1"), null);
    assert.deepEqual(await gate.ledger(0, 10), []);
    assert.deepEqual(await gate.applyMany([{ userId: "member-1", note: null }]), [
      { kind: "refused", code: "TRIAL_NOT_FOUND" },
    ]);
    assert.deepEqual(await gate.withdraw("member-1"), {
      kind: "refused",
      code: "TRIAL_NOT_FOUND",
    });
    assert.deepEqual(await gate.release(crypto.randomUUID(), "test"), {
      kind: "refused",
      code: "TRIAL_NOT_FOUND",
    });
    assert.deepEqual(await gate.cancel(), { kind: "refused", code: "TRIAL_NOT_FOUND" });
    await gate.countRejected(3);
    await gate.discard();
    const keys = await Array.fromAsync(kv.list({ prefix: [] }), (e) => e.key);
    assert.deepEqual(keys, []);
  } finally {
    await close();
  }
});
