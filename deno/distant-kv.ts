import { sleep, withRoundTrip } from "../workers/lib/simulated-distance.ts";

/**
 * Benchmarks only: Deno KV as seen from an isolate `ms` away from KV's write region. Every
 * read (get, getMany, each list) and every atomic commit pays one round trip, which is what
 * an isolate far from us-east4 pays on Deno Deploy (docs/decisions/0019).
 */
export function distantKv(kv: Deno.Kv, ms: number): Deno.Kv {
  if (ms <= 0) return kv;
  const reads = withRoundTrip(kv, ms, ["get", "getMany"]);
  return new Proxy(reads, {
    get(obj, prop) {
      if (prop === "atomic") {
        return () => withRoundTrip(kv.atomic(), ms, ["commit"]);
      }
      if (prop === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) =>
          delayedList(kv.list(selector, options), ms);
      }
      const value = Reflect.get(obj, prop);
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}

/** One round trip before the first entry of a list (its first page). */
async function* delayedList<T>(
  iterator: Deno.KvListIterator<T>,
  ms: number,
): AsyncGenerator<Deno.KvEntry<T>> {
  await sleep(ms);
  yield* iterator;
}
