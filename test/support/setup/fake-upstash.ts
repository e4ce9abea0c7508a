// A stand-in for a broken Upstash, for the fail-open tests: each base path is one way of
// answering badly. The SDK posts single commands to its base URL itself, so a client
// configured with `${url}/not-json` gets that answer for every command.
import { createServer } from "node:http";
import { listenOnLoopback } from "./listen";

const FAKE_UPSTASH_MODES = {
  "/not-json": { status: 200, body: "<html>surely not Redis</html>" },
  "/wrong-type": { status: 200, body: '{"result":{"nested":["not","a","string"]}}' },
  "/number": { status: 200, body: '{"result":42}' },
  "/no-result": { status: 200, body: "{}" },
  "/server-error": { status: 500, body: '{"error":"ERR something broke upstream"}' },
  "/slow": { status: 200, body: '{"result":null}', delayMs: 3000 },
} as const satisfies Record<string, { status: number; body: string; delayMs?: number }>;

export async function startFakeUpstash(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume(); // drain the command; its content does not matter
    const mode = FAKE_UPSTASH_MODES[(req.url ?? "/") as keyof typeof FAKE_UPSTASH_MODES];
    const answer = () => {
      if (res.destroyed) return;
      res.writeHead(mode?.status ?? 404, { "content-type": "application/json" });
      res.end(mode?.body ?? '{"error":"ERR unknown fake mode"}');
    };
    const delay = mode && "delayMs" in mode ? mode.delayMs : 0;
    if (delay) setTimeout(answer, delay).unref();
    else answer();
  });
  return listenOnLoopback(server);
}
