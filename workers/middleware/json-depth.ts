import { AppError } from "../errors";

/**
 * How deeply a JSON body may nest. This API's bodies are an object of fields, at most holding
 * a list of ids; anything deeper is an attack on whatever walks the body next (recursive
 * checks, hashing, validators), so it is refused at the door.
 */
const MAX_JSON_DEPTH = 32;

/** Throws 400 VALIDATION_FAILED when `value` nests deeper than MAX_JSON_DEPTH. Iterative. */
export function refuseDeepNesting(value: unknown): void {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== "object") continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new AppError("VALIDATION_FAILED", "The request body is invalid.", [
        { path: "", message: `must not nest more than ${MAX_JSON_DEPTH} levels deep` },
      ]);
    }
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
}
