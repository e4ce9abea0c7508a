import { env } from "cloudflare:workers";
import {
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
} from "jose";
import { describe, expect, it } from "vitest";
import type { Application } from "../../core/first-come/types";
import { ConfigError, parseConfig } from "../../workers/config";
import { jwksOf, receiptOf, receiptPayloadOf } from "../../workers/receipts/receipts";
import { signJson } from "../../workers/receipts/sign";

/**
 * The receipt keys' configuration (RECEIPT_SIGNING_KEY, RECEIPT_PUBLIC_KEYS), checked when
 * the configuration is parsed, and signing with them in workerd (node:crypto's Ed25519).
 */

const base = env as unknown as Record<string, unknown>;

async function newKey(kid: string) {
  const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
  const { kty, crv, x, d } = await exportJWK(privateKey);
  return { kty, crv, x, d, kid } as { kty: string; crv: string; x: string; d: string; kid: string };
}

const publicHalf = ({ d: _d, ...rest }: { d: string; [k: string]: unknown }) => rest;

const configWith = (vars: Record<string, unknown>) => parseConfig({ ...base, ...vars });

describe("receipt key configuration", () => {
  it("publishes the signing key's public half first, then the older keys, never a d", async () => {
    const current = await newKey("2026-11");
    const older = [publicHalf(await newKey("2026-05")), publicHalf(await newKey("2025-11"))];
    const { receipts } = configWith({
      RECEIPT_SIGNING_KEY: JSON.stringify(current),
      RECEIPT_PUBLIC_KEYS: JSON.stringify(older),
    });
    expect(jwksOf(receipts).keys).toEqual([
      { kty: "OKP", crv: "Ed25519", x: current.x, kid: "2026-11", alg: "EdDSA", use: "sig" },
      { ...older[0], alg: "EdDSA", use: "sig" },
      { ...older[1], alg: "EdDSA", use: "sig" },
    ]);
    expect(JSON.stringify(jwksOf(receipts))).not.toContain(current.d);
  });

  it("refuses a missing or malformed signing key with a ConfigError that names it and never quotes it", async () => {
    const good = await newKey("k1");
    const bad: Record<string, string | undefined> = {
      missing: undefined,
      "not JSON": `${JSON.stringify(good).slice(0, -1)}`,
      "a JSON string": JSON.stringify(good.d),
      "no kid": JSON.stringify({ ...good, kid: undefined }),
      "a kid with spaces": JSON.stringify({ ...good, kid: "my key" }),
      "no d": JSON.stringify({ ...good, d: undefined }),
      "a short d": JSON.stringify({ ...good, d: good.d.slice(0, 40) }),
      "an EC key": JSON.stringify({ ...good, kty: "EC", crv: "P-256" }),
      "an X25519 key": JSON.stringify({ ...good, crv: "X25519" }),
      "another alg": JSON.stringify({ ...good, alg: "ES256" }),
    };
    for (const [what, text] of Object.entries(bad)) {
      let thrown: unknown;
      try {
        configWith({ RECEIPT_SIGNING_KEY: text });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, what).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message, what).toContain("RECEIPT_SIGNING_KEY");
      expect((thrown as Error).message, what).not.toContain(good.d);
      expect((thrown as Error).message, what).not.toContain(good.d.slice(0, 40));
    }
  });

  it("refuses older keys that are not public JWKs, carry a d, or repeat a kid", async () => {
    const current = await newKey("current");
    const old = await newKey("old");
    const bad = {
      "not an array": JSON.stringify(publicHalf(old)),
      "a private key": JSON.stringify([old]),
      "the current kid again": JSON.stringify([{ ...publicHalf(old), kid: "current" }]),
      "a kid twice": JSON.stringify([publicHalf(old), publicHalf(old)]),
      "not JSON": "[{",
    };
    for (const [what, text] of Object.entries(bad)) {
      let thrown: unknown;
      try {
        configWith({ RECEIPT_SIGNING_KEY: JSON.stringify(current), RECEIPT_PUBLIC_KEYS: text });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, what).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message, what).toContain("RECEIPT_PUBLIC_KEYS");
      expect((thrown as Error).message, what).not.toContain(old.d);
    }
    // Empty means none.
    const { receipts } = configWith({
      RECEIPT_SIGNING_KEY: JSON.stringify(current),
      RECEIPT_PUBLIC_KEYS: "",
    });
    expect(receipts.published.map((k) => k.kid)).toEqual(["current"]);
  });
});

describe("signing with the configured key", () => {
  it("signs EdDSA with the kid, verifiable with the JWKS alone", async () => {
    const { receipts } = configWith({ RECEIPT_SIGNING_KEY: JSON.stringify(await newKey("k-s")) });
    const jws = signJson(receipts, { hello: "world" });
    const { payload, protectedHeader } = await compactVerify(
      jws,
      createLocalJWKSet(jwksOf(receipts) as JSONWebKeySet),
    );
    expect(protectedHeader).toEqual({ alg: "EdDSA", kid: "k-s" });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ hello: "world" });
  });

  it("signs exactly what jose's CompactSign over WebCrypto signs (Ed25519 is deterministic)", async () => {
    const key = await newKey("k-same");
    const { receipts } = configWith({ RECEIPT_SIGNING_KEY: JSON.stringify(key) });
    const payload = { trialId: crypto.randomUUID(), seq: 7, outcome: "WON", note: "한국어 ✓" };
    const byJose = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "EdDSA", kid: "k-same" })
      .sign(await importJWK({ ...key, kty: "OKP" }, "EdDSA"));
    expect(signJson(receipts, payload)).toBe(byJose);
  });

  it("refuses to sign with a key whose x is not the public half of its d", async () => {
    const one = await newKey("mixed");
    const other = await newKey("other");
    const { receipts } = configWith({
      RECEIPT_SIGNING_KEY: JSON.stringify({ ...one, x: other.x }),
    });
    expect(() => signJson(receipts, { a: 1 })).toThrow(/x is not the public half/);
  });

  it("has no receipt for an application decided before its trial kept a log", async () => {
    const { receipts } = configWith({ RECEIPT_SIGNING_KEY: JSON.stringify(await newKey("k-r")) });
    const application: Application = {
      id: crypto.randomUUID(),
      trialId: crypto.randomUUID(),
      userId: crypto.randomUUID(),
      seq: 3,
      status: "WON",
      position: null,
      note: null,
      appliedAt: 1_700_000_000_000,
      decidedAt: 1_700_000_000_001,
      version: 1,
      memberTag: "a".repeat(64),
      lastEntry: null,
    };
    expect(receiptOf(receipts, "https://api.example.com", application)).toBeNull();
    const logged = { ...application, lastEntry: { n: 7, hash: "b".repeat(64) } };
    expect(receiptPayloadOf("https://api.example.com", logged)).toEqual({
      iss: "https://api.example.com",
      trialId: application.trialId,
      applicationId: application.id,
      seq: 3,
      outcome: "WON",
      decidedAt: 1_700_000_000_001,
      memberTag: "a".repeat(64),
      entry: 7,
      hash: "b".repeat(64),
    });
  });
});
