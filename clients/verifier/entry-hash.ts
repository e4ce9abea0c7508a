import type { PublishedEntry } from "./material";

/**
 * An entry's hash, recomputed from API.md with WebCrypto (Node, Deno and browsers have it):
 * lowercase hex SHA-256 of the UTF-8 text
 * `prevHash\nn\nkind\nseq\napplicationId\nmemberTag\noutcome\nat`, numbers in decimal, a
 * null field as the empty string. Deliberately not core/fill-log/chain.ts: the point of a
 * verifier is that someone who does not trust our code can do this from the document.
 */
function textOf(entry: Omit<PublishedEntry, "hash">): string {
  const fields = [
    entry.prevHash,
    entry.n,
    entry.kind,
    entry.seq,
    entry.applicationId,
    entry.memberTag,
    entry.outcome,
    entry.at,
  ];
  return fields.map((f) => (f === null || f === undefined ? "" : String(f))).join("\n");
}

/** Lowercase hex SHA-256 of the UTF-8 text (also the seed's commitment). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return hexOf(digest);
}

export const hexOf = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

export function entryHash(entry: Omit<PublishedEntry, "hash">): Promise<string> {
  return sha256Hex(textOf(entry));
}
