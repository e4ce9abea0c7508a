// The receipt signing key for local runs (RECEIPT_SIGNING_KEY: an Ed25519 private key as a
// JWK with its kid, workers/receipts/keys.ts). Production keeps its key in a secret; npm start
// keeps one per machine under .data/, and the test setups make a fresh one per run.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** A new key as the JSON text RECEIPT_SIGNING_KEY takes. */
export function newReceiptSigningKey(kid = `receipt-${randomBytes(6).toString("hex")}`): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  const { kty, crv, x, d } = privateKey.export({ format: "jwk" });
  return JSON.stringify({ kty, crv, x, d, kid, alg: "EdDSA", use: "sig" });
}

/**
 * RECEIPT_SIGNING_KEY from the environment, else the machine's own under the data folder,
 * made on first run: it survives restarts, so receipts already handed out keep verifying.
 */
export function devReceiptSigningKey(dataDir: string, log: (message: string) => void): string {
  if (process.env.RECEIPT_SIGNING_KEY) return process.env.RECEIPT_SIGNING_KEY;
  const file = resolve(dataDir, "receipt-signing-key.json");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = newReceiptSigningKey();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  log(`generated a dev receipt signing key in ${file}`);
  return key;
}
