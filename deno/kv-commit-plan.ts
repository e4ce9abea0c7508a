/**
 * How many applications fit in one Deno KV atomic commit. KV refuses a commit past its
 * limits (Deno Deploy and the local store alike: 1,000 mutations, 80 KiB of keys, 800 KiB
 * of keys and values together), and a refused commit is an error, not a lost race; so a
 * batch is split before committing, each part all-or-nothing (docs/decisions/0019).
 */
export interface CommitLimits {
  mutations: number;
  keyBytes: number;
  totalBytes: number;
}

export const KV_COMMIT_LIMITS: CommitLimits = {
  mutations: 1000,
  keyBytes: 80 * 1024,
  totalBytes: 800 * 1024,
};

/** What one part of a commit costs against the limits. */
export interface CommitCost {
  mutations: number;
  keyBytes: number;
  totalBytes: number;
}

/**
 * Room kept in every commit for what each one writes besides the applications: the state
 * entry, its check and a status announcement.
 */
export const COMMIT_OVERHEAD: CommitCost = { mutations: 3, keyBytes: 1024, totalBytes: 16 * 1024 };

/**
 * Splits `items` in order into parts whose summed cost (plus the overhead) stays within the
 * limits; an item too large for a commit on its own still gets a part of its own (KV then
 * refuses it, as it would have anyway).
 */
export function splitForCommits<T>(
  items: readonly T[],
  cost: (item: T) => CommitCost,
  limits: CommitLimits = KV_COMMIT_LIMITS,
): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let used = { ...COMMIT_OVERHEAD };
  for (const item of items) {
    const c = cost(item);
    const fits =
      used.mutations + c.mutations <= limits.mutations &&
      used.keyBytes + c.keyBytes <= limits.keyBytes &&
      used.totalBytes + c.totalBytes <= limits.totalBytes;
    if (!fits && part.length > 0) {
      parts.push(part);
      part = [];
      used = { ...COMMIT_OVERHEAD };
    }
    part.push(item);
    used = {
      mutations: used.mutations + c.mutations,
      keyBytes: used.keyBytes + c.keyBytes,
      totalBytes: used.totalBytes + c.totalBytes,
    };
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

const utf8 = new TextEncoder();

/**
 * An upper bound of a key's encoded size: KV encodes a string part as its UTF-8 bytes between
 * a type tag and a terminator (a NUL inside costs one more byte), a number as 9 bytes.
 */
export function keyBytes(key: Deno.KvKey): number {
  let n = 0;
  for (const part of key) {
    if (typeof part === "string") n += 2 + escaped(utf8.encode(part));
    else if (part instanceof Uint8Array) n += 2 + escaped(part);
    else n += 10;
  }
  return n;
}

function escaped(bytes: Uint8Array): number {
  let n = bytes.length;
  for (const b of bytes) if (b === 0) n += 1;
  return n;
}

/**
 * An upper bound of a value's serialized size: V8 writes a string in one byte per character
 * when it can and two otherwise; JSON's length plus its quoting is above either.
 */
export function valueBytes(value: unknown): number {
  return 2 * JSON.stringify(value).length + 32;
}
