import { describe, expect, inject, it } from "vitest";
import { RATE_LIMITS } from "../../workers/rate-limits";

/**
 * On Workers the limits that ship are wrangler.toml's [[ratelimits]]; on Deno they are the
 * rules' `standard` defaults. Written twice, so checked here: the same bindings, the same
 * numbers, and periods the binding accepts.
 */
describe("wrangler.toml [[ratelimits]]", () => {
  const deployed = inject("deployedRateLimits");

  it("declares exactly one binding per rule of workers/rate-limits.ts", () => {
    expect(deployed.map((r) => r.name).sort()).toEqual(
      Object.values(RATE_LIMITS)
        .map((spec) => spec.binding)
        .sort(),
    );
  });

  it("gives each binding its rule's standard limit and period", () => {
    for (const spec of Object.values(RATE_LIMITS)) {
      const binding = deployed.find((r) => r.name === spec.binding);
      expect(`${binding?.simple.limit}/${binding?.simple.period}`, spec.binding).toBe(
        spec.standard,
      );
    }
  });

  it("uses only the periods the binding has (10 or 60 s) and a namespace per binding", () => {
    for (const r of deployed) expect([10, 60], r.name).toContain(r.simple.period);
    expect(new Set(deployed.map((r) => r.namespace_id)).size).toBe(deployed.length);
    for (const r of deployed) expect(r.namespace_id, r.name).toMatch(/^[1-9]\d*$/);
  });
});
