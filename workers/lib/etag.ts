import { sha256Hex } from "./digests";

/**
 * Entity tags (RFC 9110 §8.8.3). Our tags are strong: the quoted hex SHA-256 of the bytes,
 * so equal tags mean equal bytes, whichever node computed them.
 */
export async function strongEtag(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return `"${await sha256Hex(bytes)}"`;
}

/**
 * Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2): `*` matches any
 * current representation; otherwise a comma-separated list of entity tags compared with
 * the weak comparison, so `W/"x"` matches `"x"`. Entity tags may contain commas, so the
 * list is scanned tag by tag rather than split on commas.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const trimmed = header.trim();
  if (trimmed === "*") return true;
  const wanted = opaqueTag(etag);
  for (const tag of header.matchAll(/(?:W\/)?("[^"]*")/g)) {
    if (tag[1] === wanted) return true;
  }
  return false;
}

/** The quoted opaque part of an entity tag, without a weakness prefix. */
function opaqueTag(etag: string): string {
  return etag.startsWith("W/") ? etag.slice(2) : etag;
}
