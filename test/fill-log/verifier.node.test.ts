import { describe, expect, it } from "vitest";
import type { Material } from "../../clients/verifier/material";
import { verifyTrial } from "../../clients/verifier/verify";
import type { LogEntry } from "../../core/fill-log/chain";
import {
  appId,
  chain,
  event,
  headOf,
  honestMaterial,
  jwksOf,
  newSigner,
  receiptOf,
  STRICT_EVENTS,
  STRICT_TERMS,
  TRIAL_ID,
  tagOf,
} from "./verifier-fixtures";

/**
 * The verifier (clients/verifier/) on material built here: the honest log passes, and each
 * way of tampering with it fails, naming the check that caught it and the entry concerned.
 */
const key = await newSigner("receipts-2026-11");

/** The checks that failed, first one first. */
const failedChecks = async (m: Material) => (await verifyTrial(m)).failures.map((f) => f.check);

/** Honest material around a different log, with a head honestly signed over it. */
async function signedLog(entries: LogEntry[], terms = STRICT_TERMS): Promise<Material> {
  return {
    trialId: TRIAL_ID,
    jwks: jwksOf(key),
    trial: terms,
    entries,
    head: await key.sign(headOf(entries)),
  };
}

describe("verifier: an honest trial", () => {
  it("passes every check, with the replayed counts and the receipt's place in the log", async () => {
    const verdict = await verifyTrial(await honestMaterial(key));
    expect(verdict.failures).toEqual([]);
    expect(verdict.passed).toBe(true);
    expect(Object.keys(verdict.skipped)).toEqual(["history", "seed", "draw"]);
    expect(verdict.summary).toMatchObject({
      entries: 10,
      headKid: "receipts-2026-11",
      head: { n: 10, trialId: TRIAL_ID },
      tally: { arrivals: 6, won: 3, waitlisted: 0, cancelled: 3, promoted: 1 },
      receipt: { entry: 7, outcome: "WON", latest: { n: 7, kind: "PROMOTED", outcome: "WON" } },
    });
  });

  it("passes an empty log whose head signs 64 zeros, and skips the receipt checks without one", async () => {
    const verdict = await verifyTrial(await signedLog([]));
    expect(verdict.failures).toEqual([]);
    expect(Object.keys(verdict.skipped)).toEqual([
      "history",
      "seed",
      "draw",
      "receipt-signature",
      "receipt",
    ]);
  });

  it("accepts a log that grew after its head was signed, and says how far the signature goes", async () => {
    const m = await honestMaterial(key);
    const verdict = await verifyTrial({
      ...m,
      head: await key.sign(headOf(m.entries.slice(0, 7))),
    });
    expect(verdict.failures).toEqual([]);
    expect(verdict.summary.head?.n).toBe(7);
  });

  it("finds keys by kid among several, as after a rotation", async () => {
    const old = await newSigner("receipts-2026-05");
    const m = await honestMaterial(key);
    const verdict = await verifyTrial({ ...m, jwks: jwksOf(old, key) });
    expect(verdict.passed).toBe(true);
  });
});

describe("verifier: tampering with the log", () => {
  it("an edited entry (outcome changed) fails `hashes`, naming the entry", async () => {
    const m = await honestMaterial(key);
    const entries = m.entries.map((e) => (e.n === 4 ? { ...e, outcome: "WON" } : e));
    const verdict = await verifyTrial({ ...m, entries });
    expect(verdict.firstFailure).toMatchObject({ check: "hashes", entry: 4 });
    expect(verdict.firstFailure?.message).toContain("entry 4 (application app-4)");
    expect(verdict.passed).toBe(false);
  });

  it("an edited entry re-chained after it breaks the signed head and the receipt of every later entry", async () => {
    const m = await honestMaterial(key);
    const events = STRICT_EVENTS.map((e, i) => (i === 3 ? { ...e, outcome: "WON" } : e));
    const verdict = await verifyTrial({ ...m, entries: chain(events) });
    expect(verdict.firstFailure?.check).toBe("head");
    expect(await failedChecks({ ...m, entries: chain(events) })).toContain("receipt");
  });

  it("a removed entry fails `numbering` (the gap) and `links` (the chain)", async () => {
    const m = await honestMaterial(key);
    const entries = m.entries.filter((e) => e.n !== 5);
    const verdict = await verifyTrial({ ...m, entries });
    expect(verdict.firstFailure).toMatchObject({ check: "numbering", entry: 6 });
    expect(verdict.firstFailure?.message).toContain("entry 5 is missing");
    expect(await failedChecks({ ...m, entries })).toContain("links");
  });

  it("a removed last entry fails `head`: the signed head names an entry that is gone", async () => {
    const m = await honestMaterial(key);
    const verdict = await verifyTrial({ ...m, entries: m.entries.slice(0, -1) });
    expect(verdict.firstFailure).toMatchObject({ check: "head", entry: 10 });
  });

  it("two swapped entries fail `numbering`", async () => {
    const m = await honestMaterial(key);
    const entries = [...m.entries];
    [entries[1], entries[2]] = [entries[2] as LogEntry, entries[1] as LogEntry];
    const verdict = await verifyTrial({ ...m, entries });
    expect(verdict.firstFailure).toMatchObject({ check: "numbering", entry: 3 });
    expect(await failedChecks({ ...m, entries })).toEqual(
      expect.arrayContaining(["numbering", "links"]),
    );
  });

  it("two entries swapped and renumbered fail `links`", async () => {
    const m = await honestMaterial(key);
    const entries = [...m.entries];
    [entries[1], entries[2]] = [
      { ...(entries[2] as LogEntry), n: 2 },
      { ...(entries[1] as LogEntry), n: 3 },
    ];
    const verdict = await verifyTrial({ ...m, entries });
    expect(verdict.firstFailure).toMatchObject({ check: "links", entry: 2 });
  });
});

describe("verifier: heads kept from before (a fork)", () => {
  it("a log rewritten and signed afresh passes on its own, but fails `history` against a head kept from before", async () => {
    const m = await honestMaterial(key);
    const kept = m.head;
    // The operator rewrites history: member 2 arrived first, member 1 second (every entry of
    // theirs swapped, so the rules still hold), re-chains, and signs a new head.
    const other: Record<string, number> = { [appId(1)]: 2, [appId(2)]: 1 };
    const swapped = STRICT_EVENTS.map((e) => {
      const to = other[e.applicationId];
      return to ? { ...e, applicationId: appId(to), memberTag: tagOf(to) } : e;
    });
    const rewritten = chain(swapped);
    const forged = {
      ...m,
      entries: rewritten,
      head: await key.sign(headOf(rewritten)),
      receipt: undefined,
    };
    expect((await verifyTrial(forged)).passed).toBe(true);

    const verdict = await verifyTrial({ ...forged, knownHeads: [kept] });
    expect(verdict.failures.map((f) => f.check)).toEqual(["history"]);
    expect(verdict.firstFailure?.message).toContain(
      "the log was rewritten after that head was published",
    );
  });

  it("a log that grew since a kept head passes `history`", async () => {
    const m = await honestMaterial(key);
    const earlier = await key.sign(headOf(m.entries.slice(0, 4)));
    const verdict = await verifyTrial({ ...m, knownHeads: [earlier, m.head] });
    expect(verdict.failures).toEqual([]);
    expect(verdict.skipped.history).toBeUndefined();
  });
});

describe("verifier: signatures and receipts", () => {
  it("a forged receipt (payload edited, signature kept) fails `receipt-signature`", async () => {
    const m = await honestMaterial(key);
    const [header, , signature] = (m.receipt as string).split(".");
    const forged = { ...receiptOf(m.entries[3] as LogEntry), outcome: "WON" };
    const payload = Buffer.from(JSON.stringify(forged)).toString("base64url");
    const verdict = await verifyTrial({ ...m, receipt: `${header}.${payload}.${signature}` });
    expect(verdict.firstFailure?.check).toBe("receipt-signature");
    expect(verdict.firstFailure?.message).toContain("does not verify");
    // And what it claims is not what the log says.
    expect(verdict.failures.find((f) => f.check === "receipt")?.message).toContain(
      "outcome WON where the log has WAITLISTED",
    );
  });

  it("a receipt signed by a key the JWKS does not publish fails `receipt-signature`", async () => {
    const m = await honestMaterial(key);
    const stranger = await newSigner("not-ours");
    const receipt = await stranger.sign(receiptOf(m.entries[6] as LogEntry));
    const verdict = await verifyTrial({ ...m, receipt });
    expect(verdict.firstFailure?.check).toBe("receipt-signature");
    expect(verdict.firstFailure?.message).toContain('no key with kid "not-ours"');
    expect(verdict.failures.map((f) => f.check)).toEqual(["receipt-signature"]);
  });

  it("a receipt signed under a published kid by another key fails `receipt-signature`", async () => {
    const m = await honestMaterial(key);
    const impostor = await newSigner(key.kid);
    const verdict = await verifyTrial({
      ...m,
      receipt: await impostor.sign(receiptOf(m.entries[6] as LogEntry)),
    });
    expect(verdict.firstFailure?.message).toContain("does not verify with key");
  });

  it("a genuine receipt whose entry is not in this log fails `receipt`", async () => {
    const m = await honestMaterial(key);
    const receipt = await key.sign({ ...receiptOf(m.entries[6] as LogEntry), entry: 11 });
    const verdict = await verifyTrial({ ...m, receipt });
    expect(verdict.firstFailure).toMatchObject({ check: "receipt", entry: 11 });
  });

  it("a head signed by an unknown key fails `signature`", async () => {
    const m = await honestMaterial(key);
    const stranger = await newSigner("not-ours");
    const verdict = await verifyTrial({ ...m, head: await stranger.sign(headOf(m.entries)) });
    expect(verdict.firstFailure?.check).toBe("signature");
    expect(verdict.failures.map((f) => f.check)).toEqual(["signature"]);
  });

  it("a head that does not match the log fails `head`: another hash, another trial, a longer log", async () => {
    const m = await honestMaterial(key);
    const good = headOf(m.entries);
    for (const head of [
      { ...good, hash: m.entries[8]?.hash },
      { ...good, trialId: "another-trial" },
      { ...good, n: 11 },
    ]) {
      const verdict = await verifyTrial({ ...m, head: await key.sign(head) });
      expect(verdict.failures.map((f) => f.check)).toEqual(["head"]);
    }
  });
});

describe("verifier: strict ordering, replayed", () => {
  it("a WON beyond `slots` fails `ordering` at that entry, though every hash and signature holds", async () => {
    const entries = chain([1, 2, 3, 4].map((i) => event("APPLIED", i, "WON")));
    const verdict = await verifyTrial(await signedLog(entries));
    expect(verdict.failures).toHaveLength(1);
    expect(verdict.firstFailure).toMatchObject({ check: "ordering", entry: 4 });
    expect(verdict.firstFailure?.message).toContain("3 of 3 places");
  });

  it("a promotion that skips the head of the waitlist fails `ordering`", async () => {
    const events = [
      ...STRICT_EVENTS.slice(0, 5),
      event("WITHDRAWN", 2, "CANCELLED"),
      event("PROMOTED", 5, "WON"),
    ];
    const verdict = await verifyTrial(await signedLog(chain(events)));
    expect(verdict.firstFailure).toMatchObject({ check: "ordering", entry: 7 });
    expect(verdict.firstFailure?.message).toContain(
      "head of the waitlist is application app-4 (seq 4)",
    );
  });

  it.each([
    ["a WAITLISTED while places are free", [event("APPLIED", 1, "WAITLISTED")], 1, "must be WON"],
    [
      "an arrival past the waitlist",
      [1, 2, 3, 4, 5]
        .map((i) => event("APPLIED", i, "WON"))
        .map((e, i) => (i >= 3 ? { ...e, outcome: "WAITLISTED" } : e))
        .concat(event("APPLIED", 6, "WAITLISTED")),
      6,
      "after all 3 places and 2 waitlist places",
    ],
    ["an arrival out of seq", [event("APPLIED", 2, "WON")], 1, "seq 2 but this is arrival 1"],
    [
      "a second application of one member",
      [
        event("APPLIED", 1, "WON"),
        { ...event("APPLIED", 2, "WON"), memberTag: event("APPLIED", 1, "WON").memberTag },
      ],
      2,
      "applied before",
    ],
    [
      "a PROMOTED with no place given up",
      [...STRICT_EVENTS.slice(0, 5), event("PROMOTED", 4, "WON")],
      6,
      "without a WON place given up",
    ],
    [
      "a freed place not given to the waitlist",
      [
        ...STRICT_EVENTS.slice(0, 5),
        event("WITHDRAWN", 1, "CANCELLED"),
        event("WITHDRAWN", 4, "CANCELLED"),
      ],
      7,
      "not given to the head of the waitlist",
    ],
    [
      "a freed place left unfilled at the end",
      [...STRICT_EVENTS.slice(0, 5), event("WITHDRAWN", 1, "CANCELLED")],
      6,
      "ends without promoting",
    ],
    ["a withdrawal of nobody", [event("WITHDRAWN", 1, "CANCELLED")], 1, "never APPLIED"],
    [
      "a withdrawal twice",
      [
        event("APPLIED", 1, "WON"),
        event("WITHDRAWN", 1, "CANCELLED"),
        event("WITHDRAWN", 1, "CANCELLED"),
      ],
      3,
      "holds no place",
    ],
    [
      "a DRAWN entry in a strict trial",
      [event("DRAWN", 1, "WON")],
      1,
      "no place in a strict trial",
    ],
  ])("%s fails `ordering`", async (_, events, entry, words) => {
    const verdict = await verifyTrial(await signedLog(chain(events)));
    expect(verdict.failures.map((f) => f.check)).toEqual(["ordering"]);
    expect(verdict.firstFailure?.entry).toBe(entry);
    expect(verdict.firstFailure?.message).toContain(words);
  });

  it("judges a strict log presented as a draw trial's by the draw's rules: arrivals are not PENDING", async () => {
    const m = await honestMaterial(key);
    const trial = {
      ...STRICT_TERMS,
      ordering: "draw",
      shuffleSeconds: null,
      opensAt: new Date(1_800_000_000_000).toISOString(),
      closesAt: new Date(2_000_000_000_000).toISOString(),
      seedCommitment: "ab".repeat(32),
      seed: null,
    };
    const verdict = await verifyTrial({ ...m, trial });
    expect(verdict.firstFailure).toMatchObject({ check: "ordering", entry: 1 });
    expect(verdict.firstFailure?.message).toContain("PENDING");
  });
});

describe("verifier: material of the wrong shape", () => {
  it("names the field, and still checks the chain", async () => {
    const m = await honestMaterial(key);
    const entries = m.entries.map((e) => (e.n === 2 ? { ...e, hash: e.hash.toUpperCase() } : e));
    const verdict = await verifyTrial({ ...m, entries });
    expect(verdict.firstFailure).toMatchObject({ check: "format" });
    expect(verdict.firstFailure?.message).toBe("entry 2: hash is not 64 lowercase hex digits");
    expect(verdict.failures.map((f) => f.check)).toContain("links");
    expect(verdict.skipped.ordering).toBeDefined();
  });

  it("stops at `format`, without throwing, on a log item that is not an entry at all", async () => {
    const m = await honestMaterial(key);
    const entries = [...m.entries, null] as unknown as Material["entries"];
    const verdict = await verifyTrial({ ...m, entries });
    expect(verdict.failures).toEqual([
      { check: "format", message: "item 11 of the log is not an object" },
    ]);
  });
});
