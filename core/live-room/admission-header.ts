import type { LiveAdmission } from "../ports/live-rooms";

/**
 * How a checked admission reaches a room that lives in another object (Cloudflare's Durable
 * Object): a WebSocket upgrade request carries no body there, so the admission is a header,
 * base64 of its UTF-8 JSON. Both ends import this file, so the format exists once.
 */
export const LIVE_PATH = "/live";
export const ADMISSION_HEADER = "x-tryit-live-admission";

export function encodeAdmission(admission: LiveAdmission): string {
  const bytes = new TextEncoder().encode(JSON.stringify(admission));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function decodeAdmission(header: string): LiveAdmission {
  const binary = atob(header);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as LiveAdmission;
}
