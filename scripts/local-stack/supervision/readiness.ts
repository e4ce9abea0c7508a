// Knowing when a local server is ready to be used, and whether its port is free to start one.
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Polls `url` until it answers 2xx. Rejects on timeout or when `giveUp` settles first. */
export async function waitForHttp(
  url: string,
  { timeoutMs = 120_000, giveUp }: { timeoutMs?: number; giveUp?: Promise<unknown> } = {},
): Promise<void> {
  let gaveUp = false;
  void giveUp?.then(() => {
    gaveUp = true;
  });
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline && !gaveUp) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  if (gaveUp) throw new Error("the server exited before it was ready");
  throw new Error(`${url} not ready after ${timeoutMs} ms (last answer: ${last})`);
}

/** True if nothing listens on host:port, checked by binding it briefly. */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
