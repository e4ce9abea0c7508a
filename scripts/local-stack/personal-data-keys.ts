// The keys that seal winners' addresses for local runs (PERSONAL_DATA_KEYS: a JSON object of
// key id → base64 of 32 random bytes; PERSONAL_DATA_KEY_ID: the one new values are sealed
// with; workers/personal-data/keys.ts). Production keeps them in secrets; npm start keeps one
// set per machine under .data/, and the test setups make fresh ones per run.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface PersonalDataKeyVars {
  PERSONAL_DATA_KEYS: string;
  PERSONAL_DATA_KEY_ID: string;
}

/** One new key, as the two variables take it. */
export function newPersonalDataKeys(
  keyId = `pd-${randomBytes(6).toString("hex")}`,
): PersonalDataKeyVars {
  return {
    PERSONAL_DATA_KEYS: JSON.stringify({ [keyId]: randomBytes(32).toString("base64") }),
    PERSONAL_DATA_KEY_ID: keyId,
  };
}

/**
 * Both variables from the environment when PERSONAL_DATA_KEYS is set, else the machine's own
 * under the data folder, made on first run: they survive restarts, so addresses sealed
 * yesterday still open today.
 */
export function devPersonalDataKeys(
  dataDir: string,
  log: (message: string) => void,
): PersonalDataKeyVars {
  if (process.env.PERSONAL_DATA_KEYS) {
    return {
      PERSONAL_DATA_KEYS: process.env.PERSONAL_DATA_KEYS,
      PERSONAL_DATA_KEY_ID: process.env.PERSONAL_DATA_KEY_ID ?? "",
    };
  }
  const file = resolve(dataDir, "personal-data-keys.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as PersonalDataKeyVars;
  const keys = newPersonalDataKeys();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  log(`generated dev personal data keys in ${file}`);
  return keys;
}
