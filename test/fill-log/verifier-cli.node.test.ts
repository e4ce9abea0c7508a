import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Material } from "../../clients/verifier/material";
import { drawScenario, drawTerms, fairMaterial, newSeed } from "./verifier-draw-fixtures";
import { honestMaterial, newSigner, TRIAL_ID } from "./verifier-fixtures";

/**
 * `npm run verify` as a member runs it: the CLI (scripts/verify.ts) against a server that
 * publishes the material by the documented routes, serving the log in short pages so the
 * CLI has to follow nextCursor. Exit codes: 0 passed, 1 a check failed, 2 nothing to verify.
 */
const run = promisify(execFile);
const key = await newSigner("cli-key");
let material: Material;
let server: Server;
let base: string;
const PAGE = 3;

beforeAll(async () => {
  material = await honestMaterial(key);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const trial = `/v1/trials/${TRIAL_ID}`;
    if (url.pathname === "/.well-known/jwks.json") return json(200, material.jwks);
    if (url.pathname === trial) return json(200, { id: TRIAL_ID, ...material.trial });
    if (url.pathname === `${trial}/log/head`) return json(200, { head: material.head });
    if (url.pathname === `${trial}/log`) {
      const after = Number(url.searchParams.get("after") ?? 0);
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 100), PAGE);
      const items = material.entries.filter((e) => e.n > after).slice(0, limit);
      const last = items.at(-1);
      const more = last !== undefined && material.entries.some((e) => e.n > last.n);
      return json(200, { items, nextCursor: more ? String(last.n) : null });
    }
    json(404, { error: { code: "NOT_FOUND", message: "no such route", details: [] } });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function verify(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "scripts/verify.ts", ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run verify", () => {
  it("exits 0 on an honest trial read page by page, with the receipt's place and the head to keep", async () => {
    const receipt = material.receipt ?? "";
    const r = await verify(
      ...["--base", base, "--trial", TRIAL_ID],
      ...["--receipt", receipt, "--known-head", material.head],
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Trial ${TRIAL_ID}: 10 log entries`);
    expect(r.stdout).toContain("Receipt: entry 7, application app-4, WON");
    expect(r.stdout).toContain("ok   history");
    // The head to keep for next time, printed whole.
    expect(r.stdout).toContain("Keep this head: pass it as --known-head next time");
    expect(r.stdout).toContain(material.head);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("PASSED: every check");
  });

  it("exits 1 and names the first failed check last when an entry was edited", async () => {
    const honest = material;
    material = {
      ...honest,
      entries: honest.entries.map((e) => (e.n === 5 ? { ...e, outcome: "WON" } : e)),
    };
    try {
      const r = await verify("--base", base, "--trial", TRIAL_ID);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("FAIL hashes");
      expect(r.stdout.trim().split("\n").at(-1)).toMatch(
        /^FAILED: hashes: entry 5 \(application app-5\)/,
      );
    } finally {
      material = honest;
    }
  });

  it("on a draw trial prints the draw, and exits 1 naming `seed` against another kept commitment", async () => {
    const honest = material;
    const committed = newSeed();
    material = await fairMaterial(key, drawTerms(committed), drawScenario(committed.seed).events);
    try {
      const args = ["--base", base, "--trial", TRIAL_ID];
      const ok = await verify(...args, "--seed-commitment", committed.seedCommitment);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("draw: drawn at entry 8");
      expect(ok.stdout).toContain("5 entrants, 2 WON, 2 WAITLISTED, 1 NOT_SELECTED");
      const other = await verify(...args, "--seed-commitment", newSeed().seedCommitment);
      expect(other.code).toBe(1);
      expect(other.stdout.trim().split("\n").at(-1)).toMatch(/^FAILED: seed: /);
    } finally {
      material = honest;
    }
  });

  it("prints the seed commitment to keep while the draw is still to come", async () => {
    const honest = material;
    const committed = newSeed();
    const { before } = drawScenario(committed.seed);
    material = await fairMaterial(key, drawTerms({ ...committed, seed: null }), before);
    try {
      const r = await verify("--base", base, "--trial", TRIAL_ID);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("draw: not drawn yet");
      expect(r.stdout).toContain(`--seed-commitment next time`);
      expect(r.stdout).toContain(committed.seedCommitment);
    } finally {
      material = honest;
    }
  });

  it("exits 2 when there is nothing to verify: an unknown trial, or no --trial", async () => {
    const unknown = await verify("--base", base, "--trial", "no-such-trial");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("404");
    const usage = await verify("--base", base);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: npm run verify");
  });
});
