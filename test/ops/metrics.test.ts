import { describe, expect, it } from "vitest";
import { analyticsEngineMetrics, labelText } from "../../workers/adapters/cloudflare/metrics";
import { api, errorCode } from "../support/workerd/http";

describe("metrics on Workers (Analytics Engine)", () => {
  it("writes one data point per event: name, sorted labels, value, indexed by name", () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const metrics = analyticsEngineMetrics({ writeDataPoint: (p) => void points.push(p ?? {}) });
    metrics.count("applications_total", { via: "gate", outcome: "WON" });
    metrics.count("slack_sends_total", { status: "sent" }, 3);
    metrics.observe("gate_call_ms", { op: "apply" }, 12.5);
    expect(points).toEqual([
      {
        indexes: ["applications_total"],
        blobs: ["applications_total", "outcome=WON,via=gate"],
        doubles: [1],
      },
      { indexes: ["slack_sends_total"], blobs: ["slack_sends_total", "status=sent"], doubles: [3] },
      { indexes: ["gate_call_ms"], blobs: ["gate_call_ms", "op=apply"], doubles: [12.5] },
    ]);
    expect(labelText({})).toBe("");
  });

  it("a failing dataset never fails the work it describes", () => {
    const metrics = analyticsEngineMetrics({
      writeDataPoint: () => {
        throw new Error("dataset unavailable");
      },
    });
    expect(() => metrics.count("applications_total", { outcome: "WON" })).not.toThrow();
  });

  it("serves no /metrics endpoint on Workers: Analytics Engine is read with its SQL API", async () => {
    const res = await api("GET", "/metrics", {
      headers: { authorization: "Bearer anything-at-all-123" },
    });
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("NOT_FOUND");
  });
});
