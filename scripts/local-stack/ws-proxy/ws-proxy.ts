// WebSocket -> TCP proxy so @neondatabase/serverless, running inside workerd (which cannot open
// raw TCP to Postgres the way the driver needs), can reach a plain local Postgres.
// The Worker is configured with:
//   neonConfig.wsProxy = (host, port) => `${address}/v1?address=${host}:${port}`
//   useSecureWebSocket = false, pipelineConnect = false, pipelineTLS = false
// Each WebSocket gets exactly one TCP socket to the configured target; frames are piped both ways.
// At most `maxUpstream` TCP sockets are open at once; WebSockets beyond that wait their turn
// (what they send meanwhile is kept), like clients of Neon's pooler or of Hyperdrive: a burst
// of requests queues instead of meeting Postgres' max_connections (docs/decisions/0025).
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

export interface WsProxyOptions {
  target: { host: string; port: number };
  /** Loopback by default: this proxy has no auth, so it must never face a network. */
  host?: string;
  port?: number;
  /** TCP sockets to Postgres open at once at most; further WebSockets wait for one to close. */
  maxUpstream?: number;
}

export interface WsProxyStats {
  /** TCP sockets to Postgres opened since start. */
  opened: number;
  /** The most open at once. */
  peak: number;
  /** WebSockets waiting for a turn right now. */
  waiting: number;
}

export interface WsProxy {
  host: string;
  port: number;
  /** "127.0.0.1:PORT", without scheme: the Neon driver adds ws:// itself. */
  address: string;
  stats(): WsProxyStats;
  close(): Promise<void>;
}

// Pause the TCP side while this much is queued towards the WebSocket (and the other way round),
// so a slow reader cannot make the proxy buffer whole result sets in memory.
const HIGH_WATER = 1 << 20;

/**
 * Well below Postgres' default max_connections (100) and the embedded server's, leaving room
 * for migrations, psql and the tests' own connections.
 */
export const DEFAULT_MAX_UPSTREAM = 40;

export async function startWsProxy(opts: WsProxyOptions): Promise<WsProxy> {
  const { target, host = "127.0.0.1", port = 0, maxUpstream = DEFAULT_MAX_UPSTREAM } = opts;
  const http = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required\n");
  });
  // No per-message deflate: Postgres traffic is small binary frames, compression only costs CPU.
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const sockets = new Set<net.Socket>();
  // WebSockets waiting for a TCP socket, first come first served.
  const waiting: (() => void)[] = [];
  const stats = { opened: 0, peak: 0 };
  const release = () => {
    // A waiter whose WebSocket went away meanwhile passes its turn on at once.
    waiting.shift()?.();
  };

  wss.on("connection", (ws: WebSocket, _req: IncomingMessage) => {
    let tcp: net.Socket | undefined;
    // What the client sent before its turn came (the startup message): written on connect.
    const early: Buffer[] = [];
    let closed = false;
    const closeBoth = (code = 1000, reason = "") => {
      if (closed) return;
      closed = true;
      // One still waiting keeps its place in the queue; open() passes the turn on when it comes.
      tcp?.destroy();
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
      if (!tcp) early.push(chunk);
      else if (!tcp.write(chunk) && !ws.isPaused) ws.pause();
    });
    ws.on("error", () => closeBoth());
    ws.on("close", () => closeBoth());

    const open = () => {
      if (closed) return release();
      // The `address` query parameter (what the driver asked for) is deliberately ignored:
      // honouring it would turn this into an open relay to any host:port.
      const socket = net.connect({ host: target.host, port: target.port });
      tcp = socket;
      sockets.add(socket);
      stats.opened++;
      stats.peak = Math.max(stats.peak, sockets.size);
      socket.setNoDelay(true);
      for (const chunk of early.splice(0)) socket.write(chunk);
      pipeFromPostgres(socket);
    };
    const pipeFromPostgres = (tcp: net.Socket) => {
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
        release();
        closeBoth();
      });
    };

    if (sockets.size < maxUpstream && waiting.length === 0) open();
    else waiting.push(open);
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
    stats: () => ({ ...stats, waiting: waiting.length }),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
