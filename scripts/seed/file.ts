import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What `npm run seed` made, for `npm run seed:rush` (and for you). */
export const SEED_FILE = process.env.TRYIT_SEED_FILE
  ? resolve(process.env.TRYIT_SEED_FILE)
  : resolve(fileURLToPath(new URL("../..", import.meta.url)), ".data/seed.json");
export const DEMO_PASSWORD = "try-it-demo";

export interface SeedFile {
  base: string;
  password: string;
  companies: string[];
  members: string[];
  hotTrialId: string;
  hotOpensAt: string;
  openTrialId: string;
}
