/**
 * The trial form's times are typed in UTC (workers/pages/company/trial-times.ts). Beside each
 * one this shows the same instant in the viewer's own zone, so nobody has to do the sum.
 */
export function showLocalTimes(): void {
  const form = document.querySelector<HTMLFormElement>("form[data-local-label]");
  if (!form) return;
  const label = form.dataset.localLabel ?? "";
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    // dateStyle/timeStyle cannot be combined with timeZoneName: the fields one by one.
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
  for (const input of form.querySelectorAll<HTMLInputElement>('input[type="datetime-local"]')) {
    const note = document.createElement("p");
    note.className = "hint local-time";
    note.id = `${input.id}-local`;
    input.closest(".field")?.append(note);
    input.setAttribute(
      "aria-describedby",
      [input.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "),
    );
    const show = () => {
      const at = new Date(`${input.value.length === 16 ? `${input.value}:00` : input.value}Z`);
      note.textContent = Number.isNaN(at.getTime()) ? "" : `${label} ${format.format(at)}`;
    };
    input.addEventListener("input", show);
    show();
  }
}
