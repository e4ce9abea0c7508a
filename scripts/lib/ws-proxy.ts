// WebSocket -> TCP proxy so @neondatabase/serverless, running inside workerd (which cannot open
// raw TCP to Postgres the way the driver needs), can reach a plain local Postgres.
// The Worker is configured with:
//   neonConfig.wsProxy = (host, port) => `${address}/v1?address=${host}:${port}`
//   useSecureWebSocket = false, pipelineConnect = false, pipelineTLS = false
// Each WebSocket gets exactly one TCP socket to the configured target; frames are piped both ways.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

export interface WsProxyOptions {
  target: { host: string; port: number };
  /** Loopback by default: this proxy has no auth, so it must never face a network. */
  host?: string;
  port?: number;
}

export interface WsProxy {
  host: string;
  port: number;
  /** "127.0.0.1:PORT", without scheme: the Neon driver adds ws:// itself. */
  address: string;
  close(): Promise<void>;
}

// Pause the TCP side while this much is queued towards the WebSocket (and the other way round),
// so a slow reader cannot make the proxy buffer whole result sets in memory.
const HIGH_WATER = 1 << 20;

export async function startWsProxy(opts: WsProxyOptions): Promise<WsProxy> {
  const { target, host = "127.0.0.1", port = 0 } = opts;
  const http = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required\n");
  });
  // No per-message deflate: Postgres traffic is small binary frames, compression only costs CPU.
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const sockets = new Set<net.Socket>();

  wss.on("connection", (ws: WebSocket, _req: IncomingMessage) => {
    // The `address` query parameter (what the driver asked for) is deliberately ignored:
    // honouring it would turn this into an open relay to any host:port.
    const tcp = net.connect({ host: target.host, port: target.port });
    sockets.add(tcp);
    tcp.setNoDelay(true);
    let closed = false;
    const closeBoth = (code = 1000, reason = "") => {
      if (closed) return;
      closed = true;
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
        // Reasons are capped at 123 bytes by the protocol; ws throws if longer.
        ws.close(code, reason.slice(0, 120));
      }
    };

    // WS -> TCP. net.Socket buffers writes made before the connection is established.
    ws.on("message", (data: RawData) => {
      if (closed) return;
      // binaryType is the default "nodebuffer", so this is a Buffer except for fragmented frames.
      const chunk = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      if (!tcp.write(chunk) && !ws.isPaused) ws.pause();
    });
    tcp.on("drain", () => ws.resume());

    // TCP -> WS, always as binary frames.
    tcp.on("data", (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(chunk, { binary: true }, () => {
        if (tcp.isPaused() && ws.bufferedAmount < HIGH_WATER / 2) tcp.resume();
      });
      if (ws.bufferedAmount > HIGH_WATER) tcp.pause();
    });

    tcp.on("error", (err) => closeBoth(1011, `upstream: ${err.message}`));
    tcp.on("close", () => {
      sockets.delete(tcp);
      closeBoth();
    });
    // A client that aborts mid-frame emits 'error' then 'close'; both just tear down the pair.
    ws.on("error", () => closeBoth());
    ws.on("close", () => closeBoth());
  });
  // Without these listeners a malformed handshake or reset would crash the dev server.
  wss.on("error", () => {});
  http.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const bound = (http.address() as AddressInfo).port;

  return {
    host,
    port: bound,
    address: `${host}:${bound}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
