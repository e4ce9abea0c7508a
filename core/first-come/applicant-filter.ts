/**
 * A Bloom filter of the members who hold an application on a closed trial. The Workers use
 * it to answer 409 TRIAL_CLOSED after a trial is full without calling its gate, while a
 * member who did apply still reaches the gate and gets their own application back (200):
 * the filter has no false negatives, and a false positive only costs the usual gate call.
 * A closed trial gains no applicants, so the filter stays true while the trial is closed.
 */
export interface ApplicantFilter {
  /** Bit array, little-endian within each byte. */
  bits: Uint8Array;
  hashes: number;
}

/** ~1 % false positives at 10 bits per applicant with 7 hashes. */
const BITS_PER_ENTRY = 10;
const HASHES = 7;

export function buildApplicantFilter(userIds: Iterable<string>, count: number): ApplicantFilter {
  const size = Math.max(64, Math.ceil((Math.max(count, 1) * BITS_PER_ENTRY) / 8) * 8);
  const bits = new Uint8Array(size / 8);
  for (const id of userIds) {
    for (const bit of positions(id, size, HASHES))
      bits[bit >> 3] = (bits[bit >> 3] ?? 0) | (1 << (bit & 7));
  }
  return { bits, hashes: HASHES };
}

/** False: this member certainly never applied. True: they may have (ask the gate). */
export function mightHaveApplied(filter: ApplicantFilter, userId: string): boolean {
  const size = filter.bits.length * 8;
  for (const bit of positions(userId, size, filter.hashes)) {
    if (((filter.bits[bit >> 3] ?? 0) & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

/** Double hashing (Kirsch–Mitzenmacher): bit i = h1 + i·h2, from two 32-bit FNV-1a runs. */
function positions(key: string, size: number, hashes: number): number[] {
  const h1 = fnv1a(key, 0x811c9dc5);
  const h2 = fnv1a(key, 0x01000193) | 1; // odd, so the steps never collapse to one bit
  const out: number[] = [];
  for (let i = 0; i < hashes; i++) out.push(((h1 + Math.imul(i, h2)) >>> 0) % size);
  return out;
}

function fnv1a(key: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
