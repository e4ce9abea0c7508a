/**
 * The kinds of a public fill log entry (API.md "Receipts and the public fill log"): one
 * entry per event that changes who holds a place, in gate order.
 */
export const LOG_KINDS = ["APPLIED", "WITHDRAWN", "PROMOTED", "RELEASED", "DRAWN"] as const;
export type LogKind = (typeof LOG_KINDS)[number];
