import { sha256Hex } from "./entry-hash";
import { entryLabel, type Failure } from "./failures";
import type { PublishedEntry, TrialTerms } from "./material";

/**
 * The seed of a shuffle or a draw: published as a commitment (SHA-256 of the UTF-8 seed
 * text) when the trial is created, revealed once drawn. A revealed seed must be the one
 * committed to, and no entry may be drawn while the seed is still secret (nobody could check
 * that draw); a commitment kept from before must still be the trial's. The trial's shape (a
 * 64-hex commitment) is `format`'s.
 */
const HEX64 = /^[0-9a-f]{64}$/;

export async function seedCheck(
  trial: TrialTerms,
  entries: readonly PublishedEntry[],
  kept?: string,
): Promise<Failure[]> {
  const { seed, seedCommitment } = trial;
  if (kept !== undefined && kept !== seedCommitment)
    return [
      {
        check: "seed",
        message: `the trial shows the seedCommitment ${String(seedCommitment).slice(0, 12)}…, not the one kept from before (${kept.slice(0, 12)}…): it was replaced after it was published`,
      },
    ];
  if (seed === null || seed === undefined) {
    const drawn = entries.find((e) => e.kind === "DRAWN");
    return drawn
      ? [
          {
            check: "seed",
            entry: drawn.n,
            message: `${entryLabel(drawn)} is DRAWN, but the trial has not revealed its seed: nobody can check that draw`,
          },
        ]
      : [];
  }
  if (!HEX64.test(seed))
    return [{ check: "seed", message: "the revealed seed is not 64 lowercase hex digits" }];
  const hashed = await sha256Hex(seed);
  if (hashed !== seedCommitment)
    return [
      {
        check: "seed",
        message: `the revealed seed hashes to ${hashed.slice(0, 12)}…, not to the commitment ${String(seedCommitment).slice(0, 12)}… published at creation: it is not the seed committed to`,
      },
    ];
  return [];
}
