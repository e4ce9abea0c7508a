import type { ApplicationJson } from "../../core/wire/application";
import { openTrialRoom } from "../trial-room";
import { renderPlaces, renderTrialStatus } from "./live-places";
import { type LiveTexts, renderResult } from "./receipt-view";
import { serverNow, syncServerClock } from "./server-clock";

/**
 * The trial page's live part (`<body data-page="trial">`). The page is complete without it;
 * with it, the live room keeps the status and places current, the apply button turns on at
 * the opening instant by the server's clock, applying happens in place (no reload) and shows
 * the result and receipt the moment the answer arrives, and later news of one's own
 * application (a waiting position moving, a promotion, a release) is written as it comes.
 * The session stays in HttpOnly cookies: every call goes through the same-origin proxy
 * /session/v1 (docs/decisions/0038), and the socket opens with a ticket fetched through it.
 */
export function startTrialPage(): void {
  const root = document.querySelector<HTMLElement>("article[data-trial-id]");
  if (!root) return;
  const trialId = root.dataset.trialId ?? "";
  const texts = JSON.parse(root.dataset.texts ?? "{}") as LiveTexts;
  const opensAt = Date.parse(root.dataset.opensAt ?? "");
  const closesAt = Date.parse(root.dataset.closesAt ?? "");
  const isMember = root.dataset.member === "true";
  const proxied = `/session/v1/trials/${encodeURIComponent(trialId)}`;

  const result = root.querySelector<HTMLElement>("[data-result]");
  const panel = root.querySelector<HTMLElement>(".apply-panel");
  const form = root.querySelector<HTMLFormElement>("form[data-apply-form]");
  const button = form?.querySelector<HTMLButtonElement>("button[data-apply-button]") ?? null;
  const closedNote = root.querySelector<HTMLElement>("[data-closed-note]");
  const errorBox = root.querySelector<HTMLElement>("[data-apply-error]");

  let status = root.dataset.status ?? "SCHEDULED";
  let closedReason: string | null = null;
  let sending = false;
  /**
   * The status shown (the server rendered it with its receipt, or the script wrote it): a
   * receipt is fetched again only when the status changes (the log gained an entry).
   */
  let shownStatus: string | null = root.dataset.applicationStatus || null;
  let applied = shownStatus !== null;
  /** The latest application written: an older answer or fetch must not overwrite it. */
  let latest: ApplicationJson | null = null;
  /**
   * The apply form was submitted from the keyboard's focus in it. Chromium drops the focus of
   * a button that turns disabled (as it does while sending) and of anything hidden, and the
   * room's frame may tell the result before the answer does: whichever shows the result
   * first puts the focus on its heading, so a keyboard user goes on from there.
   */
  let focusToResult = false;

  // The button is on only while the trial takes applications by the server's clock: from
  // the opening instant (the gate opens by its own clock, so no status frame need come
  // first) until the close, or while the room says OPEN (a FULL trial that reopened).
  const takesApplications = () => {
    const now = serverNow();
    if (status === "OPEN") return now < closesAt;
    return status === "SCHEDULED" && now >= opensAt && now < closesAt;
  };
  const refreshApply = () => {
    if (!form || !button) return;
    const takes = takesApplications() || status === "SCHEDULED";
    form.hidden = applied || !takes;
    if (closedNote) closedNote.hidden = applied || takes;
    button.disabled = applied || sending || !takesApplications();
  };
  refreshApply();
  // Until the opening, look often: the button turns on within 50 ms of the instant.
  if (button && !takesApplications()) {
    const timer = setInterval(() => {
      refreshApply();
      if (takesApplications() || status !== "SCHEDULED") clearInterval(timer);
    }, 50);
  }

  const showError = (message: string | null) => {
    if (!errorBox) return;
    errorBox.hidden = message === null;
    errorBox.textContent = message ?? "";
  };

  const fetchReceipt = async (): Promise<string | null> => {
    const res = await fetch(`${proxied}/applications/me/receipt`);
    if (!res.ok) return null;
    return ((await res.json()) as { receipt: string }).receipt;
  };

  /** Shows `a`; without its receipt, fetches the new one when the status changed. */
  const showApplication = (a: ApplicationJson, receipt: string | null) => {
    const changed = shownStatus !== a.status;
    shownStatus = a.status;
    latest = a;
    applied = true;
    const focusLost = focusToResult || (panel?.contains(document.activeElement) ?? false);
    focusToResult = false;
    if (panel) panel.hidden = true;
    refreshApply();
    if (!result) return;
    renderResult(result, a, receipt, texts);
    if (focusLost) result.querySelector<HTMLElement>("h2")?.focus();
    for (const part of root.querySelectorAll<HTMLElement>("[data-after-win]")) {
      part.hidden = a.status !== "WON";
    }
    if (receipt === null && changed) {
      void fetchReceipt().then((r) => {
        // Only if nothing newer came meanwhile.
        if (r !== null && latest === a) renderResult(result, a, r, texts);
      });
    }
  };

  const apply = async () => {
    sending = true;
    refreshApply();
    showError(null);
    try {
      const res = await fetch(`${proxied}/applications`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": randomKey() },
        body: "{}",
      });
      const body = (await res.json().catch(() => null)) as
        | (ApplicationJson & { receipt: string | null })
        | { error?: { code?: string; message?: string } }
        | null;
      if (res.ok && body && "id" in body) {
        // A frame may have told the result first; its status wins over an older answer's.
        if (!latest || latest.status === body.status) showApplication(body, body.receipt);
      } else if (res.status === 401) {
        location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      } else {
        const error = body && "error" in body ? body.error : undefined;
        showError((error?.code && texts.errors[error.code]) || error?.message || texts.applyFailed);
      }
    } catch {
      showError(texts.applyFailed);
    } finally {
      sending = false;
      refreshApply();
      // Refused (no result shown): the focus goes back to the button, below the alert.
      if (focusToResult && button && !button.disabled) button.focus();
      focusToResult = false;
    }
  };
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sending) return;
    focusToResult = form.contains(document.activeElement);
    void apply();
  });

  openTrialRoom(location.origin, trialId, {
    // A member's ticket brings their own `application` frames; others watch publicly.
    ticket: isMember ? newTicket(proxied) : undefined,
    onMessage(m) {
      if (m.type === "hello") {
        syncServerClock(m.serverTime);
        status = String(m.trial.status);
        closedReason = (m.trial.closedReason as string | null) ?? null;
        renderPlaces(root, m.trial);
        // On every (re)connection: what changed while the socket was away.
        if (m.application) showApplication(m.application, null);
      } else if (m.type === "status") {
        status = m.status;
        closedReason = m.closedReason;
      } else if (m.type === "counts") {
        // Counts carry the status but not its reason: a new status's reason comes with its
        // own `status` frame.
        if (m.status !== status) closedReason = null;
        status = m.status;
        renderPlaces(root, m);
      } else if (m.type === "application") {
        showApplication(m.application, null);
      }
      renderTrialStatus(root, status, closedReason, texts);
      refreshApply();
    },
  });
}

/** A ticket per socket (single use), so the room can reconnect as the same member. */
function newTicket(proxied: string): () => Promise<string> {
  return async () => {
    const res = await fetch(`${proxied}/live-tickets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    if (!res.ok) throw new Error(`live ticket: ${res.status}`);
    return ((await res.json()) as { ticket: string }).ticket;
  };
}

/** An Idempotency-Key: randomUUID where the page is a secure context, else 16 random bytes. */
function randomKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
