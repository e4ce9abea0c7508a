import { serverNow } from "./server-clock";

/**
 * Every `<time data-countdown datetime=…>` shows the time left to its instant, to the
 * second, by the server's clock; the rendered text (the instant itself) stays for readers
 * without script. `onZero` runs once when the instant passes.
 */
export function startCountdowns(root: ParentNode = document, onZero?: (el: HTMLElement) => void) {
  const els = [...root.querySelectorAll<HTMLTimeElement>("time[data-countdown]")];
  if (els.length === 0) return;
  const done = new WeakSet<HTMLElement>();
  const tick = () => {
    const now = serverNow();
    for (const el of els) {
      const at = Date.parse(el.dateTime);
      if (!Number.isFinite(at)) continue;
      const left = at - now;
      el.dataset.left = left > 0 ? formatLeft(left) : "0";
      const label = el.querySelector<HTMLElement>(".countdown-left") ?? appendLabel(el);
      label.textContent = left > 0 ? ` (${formatLeft(left)})` : "";
      if (left <= 0 && !done.has(el)) {
        done.add(el);
        onZero?.(el);
      }
    }
  };
  tick();
  setInterval(tick, 250);
}

function appendLabel(el: HTMLElement): HTMLElement {
  const span = document.createElement("span");
  span.className = "countdown-left";
  el.append(span);
  return span;
}

/** 1d 02:03:04, 02:03:04 or 03:04. */
function formatLeft(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = h > 0 || d > 0 ? `${pad(h)}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  return d > 0 ? `${d}d ${clock}` : clock;
}
