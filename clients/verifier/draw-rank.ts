import { hexOf } from "./entry-hash";

/**
 * A draw's ranking, from API.md alone and with WebCrypto (not the gate's code): each
 * entrant's rank is the lowercase hex HMAC-SHA256 with key = the UTF-8 text `seed + logHash`
 * and message = the UTF-8 application id; entrants are drawn in ascending rank.
 * What this binds and what it does not is in docs/threat-model.md ("Fairness modes").
 */
interface Ranked {
  applicationId: string;
  rank: string;
}

export async function rankEntrants(
  seed: string,
  logHash: string,
  applicationIds: readonly string[],
): Promise<Ranked[]> {
  const utf8 = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    utf8.encode(seed + logHash),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const ranked = await Promise.all(
    applicationIds.map(async (applicationId) => ({
      applicationId,
      rank: hexOf(await crypto.subtle.sign("HMAC", key, utf8.encode(applicationId))),
    })),
  );
  // Plain code-unit order on lowercase hex is the numeric order of the digests.
  return ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
}
