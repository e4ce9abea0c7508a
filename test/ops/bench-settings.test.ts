import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { durableObjectGates } from "../../workers/adapters/cloudflare/gates";
import { ConfigError, parseConfig } from "../../workers/config";

const base = env as unknown as Record<string, unknown>;

describe("benchmark-only settings", () => {
  it("refuses a simulated gate distance unless the bench flag is set too", () => {
    expect(() => parseConfig({ ...base, BENCH_GATE_DISTANCE_MS: "150" })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, BENCH_GATE_DISTANCE_MS: "150", BENCH_MODE: "0" })).toThrow(
      /BENCH_MODE/,
    );
    const bench = parseConfig({ ...base, BENCH_GATE_DISTANCE_MS: "150", BENCH_MODE: "1" });
    expect(bench.gate.simulatedDistanceMs).toBe(150);
    // The defaults (the test pool itself turns batching off: see vitest.config.ts).
    expect(parseConfig({ ...base, GATE_BATCHING: undefined }).gate).toEqual({
      batching: true,
      batchMax: 256,
      simulatedDistanceMs: 0,
    });
  });

  it("adds the distance to every call to a Durable Object gate", async () => {
    const trialId = crypto.randomUUID();
    const far = durableObjectGates(env.TRIAL_GATE, 80).get(trialId);
    const started = performance.now();
    expect(await far.snapshot()).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(79);
  });
});
