import type {
  CountsMessage,
  HelloMessage,
  LiveMessage,
  StatusMessage,
} from "../core/live-room/messages";
import { CLOSED_REASONS, TRIAL_STATUSES } from "../core/vocabulary/trials";

/**
 * Reading what the live room sends (core/live-room/messages.ts) on the client: each text
 * frame becomes a typed message, the pong, or a reason it was ignored. A frame of a type
 * this client does not know is ignored, not an error, so the server can add messages
 * without breaking old clients; a known type with a wrong shape is ignored and says why.
 */
export type ServerFrame =
  | { kind: "message"; message: LiveMessage }
  | { kind: "pong" }
  | { kind: "ignored"; reason: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isStatus = (v: unknown) => (TRIAL_STATUSES as readonly unknown[]).includes(v);
const isClosedReason = (v: unknown) =>
  v === null || (CLOSED_REASONS as readonly unknown[]).includes(v);
const isApplication = (v: unknown) => isObject(v) && isString(v.id) && isString(v.status);

/** Each known type's shape: the fields a client relies on, checked before it is typed. */
const SHAPES: Record<LiveMessage["type"], (frame: Json) => string | null> = {
  hello: (f) =>
    !isString(f.serverTime)
      ? "hello without serverTime"
      : !isObject(f.trial) || !isStatus(f.trial.status)
        ? "hello without a trial and its status"
        : f.application !== undefined && f.application !== null && !isApplication(f.application)
          ? "hello with a malformed application"
          : null,
  status: (f) =>
    !isStatus(f.status) || !isClosedReason(f.closedReason) || !isString(f.at)
      ? "status without status, closedReason and at"
      : null,
  counts: (f) =>
    [f.won, f.waitlisted, f.remaining, f.applicants].every(isCount) &&
    isStatus(f.status) &&
    isString(f.at)
      ? null
      : "counts without its four counts, status and at",
  application: (f) => (isApplication(f.application) ? null : "application without an application"),
};

export function parseServerFrame(data: unknown): ServerFrame {
  if (!isString(data)) return { kind: "ignored", reason: "binary frame: the room sends text" };
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return { kind: "ignored", reason: "not JSON" };
  }
  if (!isObject(frame) || !isString(frame.type)) {
    return { kind: "ignored", reason: "not an object with a type" };
  }
  if (frame.type === "pong") return { kind: "pong" };
  const check = SHAPES[frame.type as LiveMessage["type"]];
  if (!Object.hasOwn(SHAPES, frame.type) || !check) {
    return { kind: "ignored", reason: `unknown type ${frame.type}` };
  }
  const problem = check(frame);
  if (problem) return { kind: "ignored", reason: problem };
  if (frame.type === "hello" && frame.application === undefined) {
    return {
      kind: "message",
      message: { ...(frame as unknown as HelloMessage), application: null },
    };
  }
  return { kind: "message", message: frame as unknown as LiveMessage };
}

/** A trial that will never change again: its room has nothing more to say. */
export function isFinalStatus(message: HelloMessage | StatusMessage | CountsMessage): boolean {
  const status = message.type === "hello" ? message.trial.status : message.status;
  const closedReason =
    message.type === "hello"
      ? message.trial.closedReason
      : message.type === "status"
        ? message.closedReason
        : null;
  return status === "CANCELLED" || (status === "CLOSED" && closedReason === "ENDED");
}
