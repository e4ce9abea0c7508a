/**
 * How often a request waiting on a promise that another request settles wakes up. workerd
 * cancels a request that waits on nothing of its own as hung ("code had hung and would
 * never generate a response"): a pending timer of its own keeps it alive. The promise itself
 * wakes it at once; the timer adds no latency.
 */
const HEARTBEAT_MS = 250;

const BEAT = Symbol("beat");

/** Await `shared` (settled by another request's I/O) without being taken for hung. */
export async function awaitShared<T>(shared: Promise<T>): Promise<T> {
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const beat = new Promise<typeof BEAT>((resolve) => {
      timer = setTimeout(() => resolve(BEAT), HEARTBEAT_MS);
    });
    try {
      const settled = await Promise.race([shared, beat]);
      if (settled !== BEAT) return settled as T;
    } finally {
      clearTimeout(timer);
    }
  }
}
