// Local stand-in for Cloudflare's cron triggers: `wrangler dev` never fires crons by itself,
// it only exposes /cdn-cgi/handler/scheduled (with --test-scheduled). This computes each
// expression's next UTC time and calls `fire` then, like production does.
import { readFileSync } from "node:fs";
import { CronExpressionParser } from "cron-parser";

export interface CronFirerOptions {
  crons: string[];
  /** scheduledTime is the slot's nominal time (ms), as `controller.scheduledTime` in prod. */
  fire: (cron: string, scheduledTime: number) => Promise<void>;
  log?: (message: string) => void;
}

export interface CronFirer {
  /** Cancels future ticks; resolves once runs already in flight have settled. */
  stop(): Promise<void>;
}

// setTimeout overflows above 2^31-1 ms (~24.8 days); long waits are taken in steps.
const MAX_WAIT_MS = 60 * 60 * 1000;

/** Next fire time strictly after `after` (ms, UTC). Exported for tests. */
function nextFireTime(cron: string, after: number): number {
  return CronExpressionParser.parse(cron, { currentDate: new Date(after), tz: "UTC" })
    .next()
    .getTime();
}

export function startCronFirer({ crons, fire, log = console.log }: CronFirerOptions): CronFirer {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();

  for (const cron of crons) {
    nextFireTime(cron, Date.now()); // throws now, at startup, on a malformed expression
    let running = false;

    // Targets are absolute slot times, never "now + interval", so lateness of one tick does
    // not shift the following ones.
    const arm = (target: number) => {
      if (stopped) return;
      const wait = Math.min(Math.max(target - Date.now(), 0), MAX_WAIT_MS);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (Date.now() < target) return arm(target); // long wait taken in steps, or clock skew
        tick(target);
      }, wait);
      timers.add(timer);
    };

    const tick = (slot: number) => {
      // After a sleep/suspend several slots may have passed: run once, then resume from now.
      arm(nextFireTime(cron, Math.max(slot, Date.now())));
      if (running) {
        log(`[cron] "${cron}" still running from a previous tick; skipped ${iso(slot)}`);
        return;
      }
      running = true;
      const run = fire(cron, slot)
        .catch((err: unknown) => log(`[cron] "${cron}" at ${iso(slot)} failed: ${message(err)}`))
        .finally(() => {
          running = false;
          inFlight.delete(run);
        });
      inFlight.add(run);
    };

    arm(nextFireTime(cron, Date.now()));
  }

  return {
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * `crons = [...]` from the top-level `[triggers]` table of a wrangler.toml. A tiny reader rather
 * than a TOML dependency: only this one key is needed, and none is installed.
 */
export function readCronsFromWranglerToml(path: string): string[] {
  const lines = stripComments(readFileSync(path, "utf8")).split("\n");
  let inTriggers = false;
  let collecting: string | null = null;
  for (const line of lines) {
    const text = line.trim();
    if (collecting !== null) {
      collecting += ` ${text}`;
    } else if (/^\[/.test(text)) {
      inTriggers = /^\[\s*triggers\s*\]$/.test(text);
      continue;
    } else if (inTriggers && /^crons\s*=/.test(text)) {
      collecting = text.replace(/^crons\s*=\s*/, "");
    } else {
      continue;
    }
    if (collecting.includes("]")) {
      // Both TOML string forms; cron expressions contain no escapes.
      return [...collecting.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? "");
    }
  }
  return [];
}

// Drops `# ...` comments but not a `#` inside quotes (Cloudflare allows "0 9 * * 1#2").
function stripComments(source: string): string {
  let out = "";
  let quote: string | null = null;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      out += "\n";
      continue;
    }
    if (ch === "\n") quote = null; // basic strings never span lines
    out += ch;
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
