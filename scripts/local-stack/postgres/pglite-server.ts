// A Postgres wire-protocol front for one PGlite instance, safe for many concurrent clients.
//
// Why not PGLiteSocketServer (@electric-sql/pglite-socket 0.2.17)? It queues *single* protocol
// messages from all connections. When a client's Parse/Bind/Execute/Sync pipeline arrives in two
// TCP chunks (any parameter over ~64 KB), another connection's Parse can run in between and
// replace the shared unnamed statement: the first client then binds the wrong query
// (reproduced: "invalid input syntax for type integer" with 20 clients and 300 KB params).
// Also, per its source, if PGlite throws (e.g. on a bad startup packet) its queue never runs
// again, for any connection. PGlite is one backend session, so this server schedules whole
// units instead:
//   - a unit is every message up to a point where the client waits for an answer
//     (Sync, Query, Flush, FunctionCall, Copy*); the whole unit runs in one exclusive call;
//   - after a unit, the connection keeps the backend (others wait) while it is inside a
//     transaction block or in the middle of an extended-protocol pipeline (before Sync);
//   - when the owner disconnects, the session is reset (Sync + ROLLBACK) before anyone else runs.

import type { AddressInfo } from "node:net";
import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";

export interface PgliteServer {
  port: number;
  close(): Promise<void>;
}

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
// Message types after which the client waits for the server: the unit is complete.
const UNIT_END = new Set(["S", "Q", "H", "F", "c", "f", "d"]);
// Unit ends after which the backend is idle again (ReadyForQuery was sent).
const RELEASES = new Set(["S", "Q", "F", "c", "f", "startup"]);
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const ROLLBACK = simpleQuery("ROLLBACK");

interface Unit {
  bytes: Buffer;
  end: string;
}
interface Conn {
  socket: net.Socket;
  buf: Buffer;
  started: boolean;
  pending: Buffer[]; // complete messages of the unit being assembled
  units: Unit[];
  closed: boolean;
}

function simpleQuery(sql: string): Buffer {
  const body = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head.write("Q");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** FATAL ErrorResponse, so clients over the limit get a real Postgres error, not a hang. */
function fatal(code: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write("E");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export async function servePglite(
  db: PGlite,
  { host = "127.0.0.1", port = 0, maxConnections = 100 } = {},
): Promise<PgliteServer> {
  const conns = new Set<Conn>();
  const ready: Conn[] = []; // connections with at least one complete unit, in arrival order
  let owner: Conn | null = null; // holds the backend between units (transaction / pipeline)
  let busy = false;

  // Runs units one at a time; only the owner may run while there is one.
  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        const i = owner ? ready.indexOf(owner) : 0;
        const conn = ready[i];
        if (i < 0 || !conn) break;
        ready.splice(i, 1);
        const unit = conn.units.shift();
        if (conn.units.length > 0) ready.push(conn);
        if (unit) await run(conn, unit);
        if (conn.closed && owner === conn) await reset();
      }
    } finally {
      busy = false;
    }
  }

  async function run(conn: Conn, unit: Unit): Promise<void> {
    if (conn.closed) return;
    try {
      await db.runExclusive(() =>
        db.execProtocolRawStream(unit.bytes, {
          // The chunk is a view into wasm memory that is reused: copy before queueing.
          onRawData: (data) => {
            if (!conn.closed) conn.socket.write(Buffer.from(data));
          },
        }),
      );
      owner = !RELEASES.has(unit.end) || db.isInTransaction() ? conn : null;
    } catch (err) {
      // Protocol-level failure (e.g. a malformed startup packet): drop the client, keep serving.
      owner = conn;
      conn.socket.destroy(err as Error);
    }
  }

  // Called with the backend held by a client that went away: end its pipeline and transaction.
  // Raw calls only: PGlite keeps the last onRawData callback, so its higher-level exec() would
  // stream the answer to whichever client ran last instead of to its own parser.
  async function reset(): Promise<void> {
    const discard = { onRawData: () => {} };
    try {
      await db.runExclusive(() => db.execProtocolRawStream(SYNC, discard));
      if (db.isInTransaction()) {
        await db.runExclusive(() => db.execProtocolRawStream(ROLLBACK, discard));
      }
    } finally {
      owner = null;
    }
  }

  function onData(conn: Conn, chunk: Buffer): void {
    conn.buf = conn.buf.length ? Buffer.concat([conn.buf, chunk]) : chunk;
    let queued = false;
    while (conn.buf.length >= 5 || (!conn.started && conn.buf.length >= 8)) {
      if (!conn.started) {
        if (conn.buf.length < 8) break;
        const len = conn.buf.readInt32BE(0);
        const code = conn.buf.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          conn.socket.write("N"); // no TLS on loopback; the client continues in plain text
          conn.buf = conn.buf.subarray(8);
          continue;
        }
        if (code !== PROTOCOL_3 || len < 8 || len > 1 << 20) {
          // CancelRequest (unsupported by a single in-process backend) or garbage.
          conn.socket.destroy();
          return;
        }
        if (conn.buf.length < len) break;
        conn.units.push({ bytes: conn.buf.subarray(0, len), end: "startup" });
        conn.buf = conn.buf.subarray(len);
        conn.started = true;
        queued = true;
        continue;
      }
      const len = 1 + conn.buf.readInt32BE(1);
      if (conn.buf.length < len) break;
      const type = String.fromCharCode(conn.buf[0] ?? 0);
      const msg = conn.buf.subarray(0, len);
      conn.buf = conn.buf.subarray(len);
      if (type === "X") {
        conn.socket.end(); // Terminate: handled here, PGlite's single session must live on
        return;
      }
      conn.pending.push(msg);
      if (UNIT_END.has(type)) {
        conn.units.push({ bytes: Buffer.concat(conn.pending), end: type });
        conn.pending = [];
        queued = true;
      }
    }
    if (queued && !ready.includes(conn)) ready.push(conn);
    if (queued) void pump();
  }

  const sockets = new Set<net.Socket>(); // every accepted socket, so close() never waits on one
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    if (conns.size >= maxConnections) {
      socket.on("error", () => {});
      socket.end(fatal("53300", "sorry, too many clients already"));
      return;
    }
    const conn: Conn = {
      socket,
      buf: Buffer.alloc(0),
      started: false,
      pending: [],
      units: [],
      closed: false,
    };
    conns.add(conn);
    socket.setNoDelay(true);
    socket.on("data", (chunk) => onData(conn, chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      conn.closed = true;
      conns.delete(conn);
      const i = ready.indexOf(conn);
      if (i >= 0) ready.splice(i, 1);
      conn.units = [];
      // If it held the backend and nothing is running, reset now; otherwise pump() does it.
      if (owner === conn && !busy) {
        busy = true;
        void reset().finally(() => {
          busy = false;
          void pump();
        });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      // Let a unit that is mid-flight finish before the caller closes PGlite underneath it.
      while (busy) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
