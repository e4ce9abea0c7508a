import { describe, expect, inject, it } from "vitest";
import { api, baseUrls } from "../support/contract/client";
import { createTrial, createUser, createUsers } from "../support/contract/fixtures";

/** Deno only: the Prometheus endpoint of one server process, behind METRICS_TOKEN. */
const token = inject("targetEnv").METRICS_TOKEN ?? "";

const scrape = async (authorization?: string) => {
  const res = await fetch(`${baseUrls[0]}/metrics`, {
    headers: authorization ? { authorization } : {},
  });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
};

/** The value of one sample line, or 0 when the series does not exist yet. */
const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe("GET /metrics on Deno", () => {
  it("refuses a scraper without the metrics token", async () => {
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer not-the-metrics-token")).status).toBe(401);
  });

  it("counts applications per outcome and times the gate, in the Prometheus text format", async () => {
    const won = 'tryit_applications_total{outcome="WON",via="gate"}';
    const closed = 'tryit_applications_total{outcome="TRIAL_CLOSED",via="gate"}';
    const before = await scrape(`Bearer ${token}`);
    expect(before.status).toBe(200);
    expect(before.type).toContain("text/plain");

    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2 });
    const members = await createUsers("MEMBER", 3);
    for (const m of members) {
      await api("POST", `/v1/trials/${trial.id}/applications`, {
        token: m.token,
        body: {},
        server: 0,
      });
    }
    const after = await scrape(`Bearer ${token}`);
    expect(sample(after.text, won) - sample(before.text, won)).toBe(2);
    expect(sample(after.text, closed) - sample(before.text, closed)).toBe(1);
    expect(after.text).toContain("# TYPE tryit_gate_call_ms histogram");
    expect(sample(after.text, 'tryit_gate_call_ms_count{op="apply"}')).toBeGreaterThanOrEqual(3);
  });
});
