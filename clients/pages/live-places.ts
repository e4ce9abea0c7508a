import type { LiveTexts } from "./receipt-view";

/**
 * The trial's status and places on the trial page, kept current from the live room: the
 * parts the server rendered (workers/pages/member/trial-places.tsx), found by `data-count`
 * and `data-trial-status`.
 */
type Places = { won: number; waitlisted: number; remaining: number; applicants: number };

export function renderPlaces(root: ParentNode, places: Places & { slots?: number }): void {
  for (const [key, value] of Object.entries(places)) {
    if (typeof value !== "number") continue;
    const el = root.querySelector<HTMLElement>(`[data-count="${key}"]`);
    const text = String(value);
    if (el && el.textContent !== text) el.textContent = text;
  }
}

export function renderTrialStatus(
  root: ParentNode,
  status: string,
  closedReason: string | null,
  texts: LiveTexts,
): void {
  const badge = root.querySelector<HTMLElement>("[data-trial-status]");
  const label = texts.trialStatus[status] ?? status;
  if (badge && badge.textContent !== label) {
    badge.textContent = label;
    badge.className = `status trial-status-${status}`;
  }
  const reason = root.querySelector<HTMLElement>("[data-closed-reason]");
  const reasonText = closedReason ? ` (${texts.closedReason[closedReason] ?? closedReason})` : "";
  if (reason && reason.textContent !== reasonText) reason.textContent = reasonText;
}
