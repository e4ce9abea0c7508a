import type { ApplicationJson } from "../../core/wire/application";

/**
 * The member's own result on the trial page, rewritten in place when it arrives live: the
 * same parts the server rendered (workers/pages/member/my-result.tsx), found by `data-field`,
 * so the page looks the same whether the result came with the page or a moment after it.
 */

/** The texts the script writes, in the page's language (workers/pages/member/live-texts.ts). */
export type LiveTexts = {
  locale: "en" | "ko";
  trialStatus: Record<string, string>;
  closedReason: Record<string, string>;
  resultStatus: Record<string, string>;
  /** `{n}` is the number. */
  waitingPosition: string;
  arrivalNumber: string;
  cancelledReason: Record<string, string>;
  applyFailed: string;
  /** A refusal's sentence by error code; empty in English, which shows the API's message. */
  errors: Record<string, string>;
};

const fill = (text: string, n: number) => text.replaceAll("{n}", String(n));

/** As the server writes instants (workers/pages/i18n/index.ts formatInstant). */
function formatInstant(locale: string, iso: string): string {
  const format = new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  });
  return `${format.format(new Date(iso))} UTC`;
}

function part(root: ParentNode, field: string): HTMLElement | null {
  return root.querySelector<HTMLElement>(`[data-field="${field}"]`);
}

function show(el: HTMLElement | null, text: string | null): void {
  if (!el) return;
  el.hidden = text === null;
  if (text !== null) el.textContent = text;
}

function showTime(el: HTMLElement | null, iso: string | null, locale: string): void {
  if (!el) return;
  el.hidden = iso === null;
  const time = el.querySelector("time");
  if (time && iso) {
    time.dateTime = iso;
    time.textContent = formatInstant(locale, iso);
  }
}

/**
 * Writes `a` (and its receipt, when known) into the result section. Only parts whose text
 * changes are touched, so the live region announces a change and not a repetition.
 */
export function renderResult(
  root: HTMLElement,
  a: ApplicationJson,
  receipt: string | null,
  texts: LiveTexts,
): void {
  show(part(root, "none"), null);
  const status = part(root, "status");
  if (status) {
    status.hidden = false;
    const badge =
      status.querySelector("span") ?? status.appendChild(document.createElement("span"));
    badge.className = `status status-${a.status}`;
    const label = texts.resultStatus[a.status] ?? a.status;
    if (badge.textContent !== label) badge.textContent = label;
  }
  const position = part(root, "position");
  const positionText =
    a.status === "WAITLISTED" && a.position !== null
      ? fill(texts.waitingPosition, a.position)
      : null;
  if (position && position.textContent !== positionText) show(position, positionText);
  const cancelled = part(root, "cancelled");
  const reason = a.cancelledReason ? (texts.cancelledReason[a.cancelledReason] ?? null) : null;
  if (cancelled && cancelled.textContent !== reason) show(cancelled, reason);
  show(part(root, "seq"), fill(texts.arrivalNumber, a.seq));
  const confirmBy = a.status === "WON" && !a.confirmedAt ? a.confirmBy : null;
  showTime(part(root, "confirm-by"), confirmBy, texts.locale);
  showTime(part(root, "confirmed"), a.confirmedAt, texts.locale);
  if (receipt !== null) {
    const details = part(root, "receipt");
    const code = details?.querySelector<HTMLElement>("[data-receipt]");
    if (details && code) {
      code.textContent = receipt;
      details.hidden = false;
    }
  }
}
