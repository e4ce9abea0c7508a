import type { Texts } from "../i18n";
import type { Trial } from "../wire";

/** A trial's status as words (and why it closed), in a badge the console keeps up to date. */
export function statusText(t: Texts["company"], status: string, closedReason: string | null) {
  const name = t.statuses[status as keyof typeof t.statuses] ?? status;
  if (status !== "CLOSED" || !closedReason) return name;
  const why = t.closedReasons[closedReason as keyof typeof t.closedReasons] ?? closedReason;
  return `${name} (${why})`;
}

export function StatusBadge(props: {
  t: Texts["company"];
  trial: Pick<Trial, "status" | "closedReason">;
  id?: string;
}) {
  return (
    <span class={`status trial-status-${props.trial.status}`} id={props.id}>
      {statusText(props.t, props.trial.status, props.trial.closedReason)}
    </span>
  );
}
