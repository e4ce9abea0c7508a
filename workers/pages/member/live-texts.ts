import type { Texts } from "../i18n";

/** `{n}` in a text shared with the page script, filled with a number. */
export function fill(text: string, n: number): string {
  return text.replaceAll("{n}", String(n));
}

/**
 * The texts the trial page's script writes when something arrives live (a status, a result,
 * a refusal), in the page's language: JSON in a `data-texts` attribute, since the CSP admits
 * no inline script. Its shape is `LiveTexts` in clients/pages/receipt-view.ts.
 */
export function liveTexts(texts: Texts): string {
  const t = texts.member;
  return JSON.stringify({
    locale: texts.locale,
    trialStatus: t.trialStatus,
    closedReason: t.closedReason,
    resultStatus: t.resultStatus,
    waitingPosition: t.waitingPosition,
    arrivalNumber: t.arrivalNumber,
    cancelledReason: t.cancelledReason,
    applyFailed: t.applyFailed,
    errors: texts.errors,
  });
}
