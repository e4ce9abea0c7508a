import { formatInstant, type Texts } from "../i18n";
import type { Application } from "../wire";
import { fill } from "./live-texts";

/**
 * The member's own result on the trial page. The page script rewrites the same parts when a
 * result arrives live (clients/pages/receipt-view.ts finds them by `data-field`), so a reader
 * without script and one with it see one layout. The status and the waiting position sit in
 * a polite live region: a screen reader hears the result and each move without losing focus.
 */
export function MyResult(props: {
  t: Texts;
  application: Application | null;
  receipt: string | null;
}) {
  const t = props.t.member;
  const locale = props.t.locale;
  const a = props.application;
  const waiting = a?.status === "WAITLISTED" && a.position !== null;
  return (
    <section aria-labelledby="result-heading" class="my-result" data-result="">
      <h2 id="result-heading" tabindex={-1}>
        {t.resultHeading}
      </h2>
      <div aria-live="polite" aria-atomic="true" class="result-announce">
        <p data-field="none" hidden={a !== null}>
          {t.notApplied}
        </p>
        <p data-field="status" hidden={a === null}>
          <span class={`status status-${a?.status ?? "NONE"}`}>
            {a ? t.resultStatus[a.status] : ""}
          </span>
        </p>
        <p data-field="position" hidden={!waiting}>
          {waiting ? fill(t.waitingPosition, a.position ?? 0) : ""}
        </p>
        <p data-field="cancelled" hidden={!a?.cancelledReason}>
          {a?.cancelledReason ? t.cancelledReason[a.cancelledReason] : ""}
        </p>
      </div>
      <p data-field="seq" hidden={a === null}>
        {a ? fill(t.arrivalNumber, a.seq) : ""}
      </p>
      <p data-field="confirm-by" hidden={!(a?.status === "WON" && a.confirmBy && !a.confirmedAt)}>
        {t.confirmByLabel}{" "}
        <time datetime={a?.confirmBy ?? ""}>
          {a?.confirmBy ? formatInstant(locale, a.confirmBy) : ""}
        </time>
      </p>
      <p data-field="confirmed" hidden={!a?.confirmedAt}>
        {t.confirmedLabel}{" "}
        <time datetime={a?.confirmedAt ?? ""}>
          {a?.confirmedAt ? formatInstant(locale, a.confirmedAt) : ""}
        </time>
      </p>
      <details data-field="receipt" hidden={!props.receipt}>
        <summary>{t.receiptSummary}</summary>
        <p class="hint">{t.receiptHint}</p>
        <p class="receipt">
          <code data-receipt="">{props.receipt ?? ""}</code>
        </p>
      </details>
    </section>
  );
}
