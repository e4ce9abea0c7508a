/**
 * The server's clock as the page knows it: the layout writes the server's time into
 * `<meta name="server-time">` when it renders, and the live room's `hello` corrects it to
 * within a round trip. Countdowns use this, never the device's clock alone, so a phone set
 * five minutes fast still shows the real opening.
 */
let offsetMs = 0;

export function startServerClock(): void {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="server-time"]');
  const rendered = Number(meta?.content);
  // The page took some time to arrive: this errs late by at most that, until a hello comes.
  if (Number.isFinite(rendered) && rendered > 0) offsetMs = rendered - Date.now();
}

/** Corrects the offset from a time the server sent just now (the live room's hello). */
export function syncServerClock(serverTimeIso: string): void {
  const at = Date.parse(serverTimeIso);
  if (Number.isFinite(at)) offsetMs = at - Date.now();
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}
