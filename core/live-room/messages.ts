import type { GateSnapshot } from "../first-come/types";
import type { ApplicationJson } from "../wire/application";
import { liveFieldsOf, type TrialLiveFields } from "../wire/trial-live";

/**
 * What the live trial room (GET /v1/trials/:id/live) says, server → client: JSON text frames,
 * fields flat beside `type`, times in ISO-8601 like the rest of the API. Built here once for
 * both runtimes (the Durable Object on Cloudflare, the isolate's rooms on Deno).
 */

/** The `Trial` of GET /v1/trials/:id, as the app hands it to a room (catalog + live). */
export type TrialJson = TrialLiveFields & Record<string, unknown>;

export interface HelloMessage {
  type: "hello";
  serverTime: string;
  trial: TrialJson;
  /** A ticketed member's own application at the moment the socket opened (null: none yet). */
  application: ApplicationJson | null;
}

export interface StatusMessage {
  type: "status";
  status: GateSnapshot["status"];
  closedReason: GateSnapshot["closedReason"];
  at: string;
}

export interface CountsMessage {
  type: "counts";
  won: number;
  waitlisted: number;
  remaining: number;
  applicants: number;
  /** Refused demand: newcomers turned away while every place was taken (the console's). */
  rejected: number;
  status: GateSnapshot["status"];
  at: string;
}

export interface ApplicationMessage {
  type: "application";
  application: ApplicationJson;
}

export type LiveMessage = HelloMessage | StatusMessage | CountsMessage | ApplicationMessage;

const iso = (ms: number) => new Date(ms).toISOString();

/** The catalog's trial with the gate's live fields laid over it. */
function withLiveFields(trial: Record<string, unknown>, snapshot: GateSnapshot): TrialJson {
  return { ...trial, ...liveFieldsOf(snapshot) };
}

export function helloMessage(
  trial: Record<string, unknown>,
  snapshot: GateSnapshot,
  application: ApplicationJson | null,
  now: number,
): HelloMessage {
  return {
    type: "hello",
    serverTime: iso(now),
    trial: withLiveFields(trial, snapshot),
    application,
  };
}

export function statusMessage(snapshot: GateSnapshot, at: number): StatusMessage {
  return {
    type: "status",
    status: snapshot.status,
    closedReason: snapshot.closedReason,
    at: iso(at),
  };
}

export function countsMessage(snapshot: GateSnapshot, at: number): CountsMessage {
  const { won, waitlisted, remaining, applicants, status } = liveFieldsOf(snapshot);
  const { rejected } = snapshot;
  return { type: "counts", won, waitlisted, remaining, applicants, rejected, status, at: iso(at) };
}

export function applicationMessage(application: ApplicationJson): ApplicationMessage {
  return { type: "application", application };
}

/** What a socket last told its member, enough to send each change exactly once. */
export interface SentApplication {
  status: ApplicationJson["status"];
  position: number | null;
  /** The gate's version of the application (grows with every change it makes). */
  version: number;
}

/** True when `next` is news to a member who was last told `sent`. */
export function isNews(sent: SentApplication | null, next: SentApplication): boolean {
  if (!sent) return true;
  return (
    sent.version !== next.version || sent.status !== next.status || sent.position !== next.position
  );
}

/** The status the room last announced moved on: tell everyone at once. */
export function statusChanged(before: GateSnapshot | null, after: GateSnapshot): boolean {
  return !before || before.status !== after.status || before.closedReason !== after.closedReason;
}

/** Any field of a `counts` message changed. */
export function countsChanged(before: GateSnapshot | null, after: GateSnapshot): boolean {
  return (
    !before ||
    before.won !== after.won ||
    before.waitlisted !== after.waitlisted ||
    before.remaining !== after.remaining ||
    before.applicants !== after.applicants ||
    before.rejected !== after.rejected ||
    before.status !== after.status
  );
}
