// What the benchmark peers share: plain node:http plumbing, and the caller check our apply
// path makes (a bearer JWT verified with jose, MEMBER only, no database), so a peer pays the
// same per-request cost as our API before it reaches its own admission.
import http from "node:http";
import { verifyAccessToken } from "../../workers/auth/tokens";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
const BODY_LIMIT_BYTES = 16_384;
const NOTE_MAX_LENGTH = 500; // as our ApplyBody
const SLOTS_MAX = 1_000_000;

/** The admission a peer implements; everything else (HTTP, auth, validation) is shared. */
export interface PeerAdmission {
  /** `created` false: the member had applied before, and this is that application. */
  apply(trialId: string, userId: string): Promise<ApplyOutcome>;
  createTrial(slots: number): Promise<string>;
  /** Null when the trial does not exist. */
  trialState(trialId: string): Promise<Record<string, number> | null>;
  close(): Promise<void>;
}

export type ApplyOutcome =
  | { kind: "admitted" | "repeat"; application: PeerApplication }
  | { kind: "full" | "unknown-trial" };

export interface PeerApplication {
  id: string;
  trialId: string;
  userId: string;
  seq: number;
  status: "WON";
}

class PeerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

export function positiveIntEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/**
 * Serves a peer on 127.0.0.1:port and prints one `listening` JSON line on stdout once it
 * accepts connections. SIGTERM/SIGINT close the server and the admission's connections.
 */
export async function servePeer(
  peer: string,
  port: number,
  jwtSecret: string,
  admission: PeerAdmission,
): Promise<void> {
  const secret = new TextEncoder().encode(jwtSecret);
  const server = http.createServer((req, res) => {
    route(req, secret, admission).then(
      ({ status, body }) => send(res, status, body),
      (err: unknown) => {
        if (err instanceof PeerError) {
          return send(res, err.status, { error: { code: err.code, message: err.message } });
        }
        // Log the details, send a generic message (as our API's onError does).
        console.error(`[${peer}]`, err);
        send(res, 500, { error: { code: "INTERNAL", message: "Something went wrong." } });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  console.log(JSON.stringify({ event: "listening", peer, port, pid: process.pid }));

  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    admission.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

type Reply = { status: number; body: unknown };

async function route(
  req: http.IncomingMessage,
  secret: Uint8Array,
  admission: PeerAdmission,
): Promise<Reply> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const parts = path.split("/").filter(Boolean);

  if (req.method === "GET" && path === "/hello") return { status: 200, body: "hello" };

  // POST /v1/trials/:id/applications: the measured route, the same path as our API's.
  if (
    req.method === "POST" &&
    parts.length === 4 &&
    parts[0] === "v1" &&
    parts[3] === "applications"
  ) {
    // Same order as our route: token, role, then the input.
    const userId = await memberFromToken(req, secret);
    const trialId = trialIdParam(parts[2]);
    parseApplyBody(await readJson(req));
    const outcome = await admission.apply(trialId, userId);
    switch (outcome.kind) {
      case "admitted":
        return { status: 201, body: outcome.application };
      case "repeat":
        return { status: 200, body: outcome.application };
      case "full":
        throw new PeerError(409, "TRIAL_CLOSED", "Every place of this trial is taken.");
      case "unknown-trial":
        throw new PeerError(404, "TRIAL_NOT_FOUND", "No such trial.");
    }
  }

  // Setup and invariants: not measured, so no auth.
  if (parts[0] === "peer" && parts[1] === "trials") {
    if (req.method === "POST" && parts.length === 2) {
      const id = await admission.createTrial(parseSlots(await readJson(req)));
      return { status: 201, body: { id } };
    }
    if (req.method === "GET" && parts.length === 3) {
      const state = await admission.trialState(trialIdParam(parts[2]));
      if (!state) throw new PeerError(404, "TRIAL_NOT_FOUND", "No such trial.");
      return { status: 200, body: state };
    }
  }
  throw new PeerError(404, "NOT_FOUND", "No such route.");
}

async function memberFromToken(req: http.IncomingMessage, secret: Uint8Array): Promise<string> {
  const match = BEARER.exec(req.headers.authorization ?? "");
  if (!match?.[1]) throw new PeerError(401, "UNAUTHORIZED", "A bearer access token is required.");
  const result = await verifyAccessToken(match[1], secret);
  if (!result.ok) {
    throw result.reason === "expired"
      ? new PeerError(401, "TOKEN_EXPIRED", "The access token has expired; refresh it.")
      : new PeerError(401, "UNAUTHORIZED", "The access token is not valid.");
  }
  if (result.claims.role !== "MEMBER") {
    throw new PeerError(403, "FORBIDDEN", "This action needs the role MEMBER.");
  }
  return result.claims.userId;
}

function trialIdParam(raw: string | undefined): string {
  if (!raw || !UUID.test(raw)) throw invalid("id", "must be a UUID");
  return raw.toLowerCase();
}

function parseApplyBody(body: unknown): void {
  if (!isObject(body)) throw invalid("", "must be an object");
  const note = body.note;
  if (note === undefined || note === null) return;
  if (typeof note !== "string" || note.trim().length > NOTE_MAX_LENGTH) {
    throw invalid("note", `must be a string of at most ${NOTE_MAX_LENGTH} characters`);
  }
}

function parseSlots(body: unknown): number {
  const slots = isObject(body) ? body.slots : undefined;
  if (typeof slots !== "number" || !Number.isInteger(slots) || slots < 1 || slots > SLOTS_MAX) {
    throw invalid("slots", `must be an integer from 1 to ${SLOTS_MAX}`);
  }
  return slots;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function invalid(path: string, message: string): PeerError {
  return new PeerError(400, "VALIDATION_FAILED", `${path || "body"} ${message}`);
}

/** The body as JSON; an empty body is `{}` (a client may POST an application without one). */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new PeerError(413, "PAYLOAD_TOO_LARGE", "Body too large.");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new PeerError(400, "MALFORMED_JSON", "The body is not valid JSON.");
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type":
      typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
