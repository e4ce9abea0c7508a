import type { Revocation, RevocationFeed, RevocationStore } from "../core/ports/revocations.ts";
import { LOST_RACE, untilCommitted } from "./retry.ts";

interface Head {
  /** Drawn when the list is first written: a cursor of another epoch starts over. */
  epoch: string;
  /** The seq of the latest revocation. */
  seq: number;
}

const HEAD: Deno.KvKey = ["revocations", "head"];
const LOG: Deno.KvKey = ["revocations", "log"];

/**
 * The revocation list on Deno KV (docs/decisions/0024), shared by every isolate: a head
 * entry with the latest seq, and one entry per revocation under its seq, expiring (expireIn)
 * once every token it could concern has. Publishing moves the head and writes the entry in
 * one commit checked on the head, so seqs are gapless and a reader that saw seq n sees every
 * revocation up to n. A reader up to date costs one read of the head.
 */
export function kvRevocationStore(kv: Deno.Kv): RevocationStore {
  return {
    publish(revocation: Revocation, keepMs: number): Promise<void> {
      return untilCommitted(async () => {
        const head = await kv.get<Head>(HEAD);
        const next = {
          epoch: head.value?.epoch ?? crypto.randomUUID(),
          seq: (head.value?.seq ?? 0) + 1,
        };
        const result = await kv
          .atomic()
          .check(head)
          .set(HEAD, next)
          .set([...LOG, next.seq], revocation, { expireIn: keepMs })
          .commit();
        return result.ok ? undefined : LOST_RACE;
      });
    },

    async since(cursor: string | null, keepMs: number): Promise<RevocationFeed> {
      const head = (await kv.get<Head>(HEAD)).value ?? { epoch: "empty", seq: 0 };
      const [epoch, seqText] = cursor?.split("/") ?? [];
      const after = Number(seqText);
      const resume = epoch === head.epoch && Number.isSafeInteger(after);
      if (resume && after >= head.seq)
        return { cursor: cursor as string, reset: false, entries: [] };
      let last = resume ? after : 0;
      const entries: Revocation[] = [];
      // Expiry is lazy in KV: an entry past its time can still be listed, so age is checked.
      const oldest = Date.now() - keepMs;
      for await (const e of kv.list<Revocation>({ prefix: LOG, start: [...LOG, last + 1] })) {
        last = Math.max(last, Number(e.key[e.key.length - 1]));
        if (e.value.atMs >= oldest) entries.push(e.value);
      }
      // Every seq up to the head's was committed before the head was read, so the list has them.
      return { cursor: `${head.epoch}/${Math.max(last, head.seq)}`, reset: !resume, entries };
    },
  };
}
