/**
 * Benchmarks only (BENCH_GATE_DISTANCE_MS, refused without BENCH_MODE; workers/config.ts):
 * makes every call to `target`'s methods pay a network round trip of `ms`, half on the way
 * out and half on the way back, so one machine can show what a hot trial does when its gate
 * is 50 or 150 ms away. Results and errors pass through unchanged.
 */
export function withRoundTrip<T extends object>(
  target: T,
  ms: number,
  methods: readonly (keyof T & string)[],
): T {
  if (ms <= 0) return target;
  const delayed = new Set<string | symbol>(methods);
  const proxy: T = new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop);
      if (typeof value !== "function") return value;
      // Called on the target: methods that use private fields (Deno.Kv's) refuse a proxy.
      // Reflect.apply, not value.apply or bind: on an RPC stub those are remote calls too.
      // A method that returns its target (a builder's chaining) returns the proxy instead.
      if (!delayed.has(prop)) {
        return (...args: unknown[]) => {
          const result = Reflect.apply(value, obj, args);
          return result === obj ? proxy : result;
        };
      }
      return async (...args: unknown[]) => {
        await sleep(ms / 2);
        try {
          return await Reflect.apply(value, obj, args);
        } finally {
          await sleep(ms / 2);
        }
      };
    },
  });
  return proxy;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
