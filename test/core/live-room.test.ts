import { describe, expect, it } from "vitest";
import { countClientMessage, NO_MESSAGES } from "../../core/live-room/client-messages";
import { CountsPacer, type PacerClock } from "../../core/live-room/counts-pacer";
import { isNews } from "../../core/live-room/messages";

/** A clock the test moves by hand, with the timers it would have fired. */
function manualClock(): PacerClock & { advance(ms: number): void } {
  let now = 1_000_000;
  let timers: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    setTimeout(run, ms) {
      timers.push({ at: now + ms, run });
      return timers.length;
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.run();
      }
      now = until;
    },
  };
}

describe("the counts pacer", () => {
  it("sends the first change at once and folds a burst into one message at the interval's end", () => {
    const clock = manualClock();
    const sentAt: number[] = [];
    const pacer = new CountsPacer(() => sentAt.push(clock.now()), 250, clock);
    const start = clock.now();
    pacer.changed();
    for (let i = 0; i < 40; i++) {
      clock.advance(10);
      pacer.changed();
    }
    clock.advance(1_000);
    // 400 ms of changes every 10 ms: at once, then one per 250 ms, the last after the burst.
    expect(sentAt.map((t) => t - start)).toEqual([0, 250, 500]);
  });

  it("never sends twice within the interval, and always once after the last change", () => {
    const clock = manualClock();
    const sentAt: number[] = [];
    const pacer = new CountsPacer(() => sentAt.push(clock.now()), 250, clock);
    let lastChange = 0;
    for (let i = 0; i < 500; i++) {
      clock.advance(Math.floor(Math.abs(Math.sin(i)) * 120));
      pacer.changed();
      lastChange = clock.now();
    }
    clock.advance(1_000);
    for (let i = 1; i < sentAt.length; i++) {
      expect((sentAt[i] as number) - (sentAt[i - 1] as number)).toBeGreaterThanOrEqual(250);
    }
    expect(sentAt.at(-1)).toBeGreaterThanOrEqual(lastChange);
    expect(pacer.hasPending).toBe(false);
  });

  it("sends at once again after a quiet interval", () => {
    const clock = manualClock();
    const sentAt: number[] = [];
    const pacer = new CountsPacer(() => sentAt.push(clock.now()), 250, clock);
    const start = clock.now();
    pacer.changed();
    clock.advance(600);
    pacer.changed();
    expect(sentAt.map((t) => t - start)).toEqual([0, 600]);
  });
});

describe("a client's messages", () => {
  it("are allowed up to the limit in a window, and the next one is a flood", () => {
    let window = NO_MESSAGES;
    const verdicts: boolean[] = [];
    for (let i = 0; i < 21; i++) {
      const counted = countClientMessage(window, 50_000 + i, { messages: 20, windowMs: 10_000 });
      window = counted.window;
      verdicts.push(counted.flooding);
    }
    expect(verdicts.slice(0, 20).every((f) => !f)).toBe(true);
    expect(verdicts[20]).toBe(true);
  });

  it("start a fresh window once the last one has passed", () => {
    const limit = { messages: 2, windowMs: 1_000 };
    let { window } = countClientMessage(NO_MESSAGES, 5_000, limit);
    ({ window } = countClientMessage(window, 5_100, limit));
    const later = countClientMessage(window, 6_000, limit);
    expect(later).toEqual({ window: { startedAt: 6_000, count: 1 }, flooding: false });
  });
});

describe("what is news to a member", () => {
  const told = { status: "WAITLISTED" as const, position: 3, version: 1 };
  it("is anything the socket was not told: a first decision, a move, a promotion", () => {
    expect(isNews(null, told)).toBe(true);
    expect(isNews(told, { ...told, position: 2 })).toBe(true);
    expect(isNews(told, { status: "WON", position: null, version: 2 })).toBe(true);
  });
  it("is not the same application again (a repeat apply says nothing)", () => {
    expect(isNews(told, { ...told })).toBe(false);
  });
});
