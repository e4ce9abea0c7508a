import { describe, expect, it } from "vitest";
import { appendToLog, EMPTY_LOG, type LogEntry } from "../../core/fill-log/chain";
import type { GateSnapshot } from "../../core/first-come/types";
import { clampLedgerLimit } from "../../core/ports/trial-gate";
import { logPageAfter } from "../../workers/services/fill-log";

/**
 * The log's pages against a gate that clamps like the real ones (at most 1000 entries a
 * call): nextCursor is null exactly on the page that ends the log, even when that page is
 * full at the largest limit and the gate could not hand out the one extra entry.
 */

function gateWith(count: number) {
  const { entries, head } = appendToLog(
    EMPTY_LOG,
    Array.from({ length: count }, (_, i) => ({
      kind: "APPLIED" as const,
      seq: i + 1,
      applicationId: crypto.randomUUID(),
      memberTag: "a".repeat(64),
      outcome: "WON",
      at: 1_700_000_000_000 + i,
    })),
  );
  const calls = { log: 0, snapshot: 0 };
  return {
    calls,
    gate: {
      async log(afterN: number, limit: number): Promise<LogEntry[]> {
        calls.log++;
        return entries.slice(afterN, afterN + clampLedgerLimit(limit));
      },
      async snapshot() {
        calls.snapshot++;
        return { log: head } as GateSnapshot;
      },
    },
  };
}

const ns = (page: { items: LogEntry[] }) => page.items.map((e) => e.n);

describe("pages of the public fill log", () => {
  it("names the next page while entries remain, null on the last, in one gate call", async () => {
    const { gate, calls } = gateWith(5);
    const first = await logPageAfter(gate, 0, 2);
    expect([ns(first), first.nextCursor]).toEqual([[1, 2], "2"]);
    const last = await logPageAfter(gate, 4, 1);
    expect([ns(last), last.nextCursor]).toEqual([[5], null]);
    const exact = await logPageAfter(gate, 3, 2);
    expect([ns(exact), exact.nextCursor]).toEqual([[4, 5], null]);
    expect(await logPageAfter(gate, 5, 10)).toEqual({ items: [], nextCursor: null });
    expect(calls).toEqual({ log: 4, snapshot: 0 });
  });

  it("asks the head at limit 1000, where the gate cannot hand out one more", async () => {
    const ends = gateWith(1000);
    const full = await logPageAfter(ends.gate, 0, 1000);
    expect(full.items).toHaveLength(1000);
    expect(full.nextCursor).toBeNull();
    expect(ends.calls.snapshot).toBe(1);

    const goesOn = gateWith(1001);
    const page = await logPageAfter(goesOn.gate, 0, 1000);
    expect(page.nextCursor).toBe("1000");
    const rest = await logPageAfter(goesOn.gate, 1000, 1000);
    expect([ns(rest), rest.nextCursor]).toEqual([[1001], null]);
  });
});
