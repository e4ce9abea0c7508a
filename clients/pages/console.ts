import type { LiveMessage } from "../../core/live-room/messages";
import { openTrialRoom, type RoomLifecycle } from "../trial-room";
import { type ChartSpec, drawChart } from "./charts";
import { LiveSeries } from "./live-series";
import { serverNow, syncServerClock } from "./server-clock";

/**
 * The company's live console (workers/pages/company/console.tsx): joins the trial's live
 * room as a public watcher (no ticket: the room's counts and status are public) and keeps
 * the figures, the status and two charts up to date without a reload: arrivals per second
 * and places taken against the places. Refused demand shows when the room reports it
 * (`rejected` on counts frames).
 */

type ConsoleTexts = {
  connecting: string;
  connected: string;
  retrying: string;
  stopped: string;
  arrivals: string;
  filled: string;
  slotsLine: string;
  capacityLine: string;
  statuses: Record<string, string>;
  closedReasons: Record<string, string>;
};

type Figures = {
  won: number;
  waitlisted: number;
  remaining: number;
  applicants: number;
  rejected?: number;
};

export function startConsole(): void {
  const root = document.getElementById("console");
  const trialId = root?.dataset.trialId;
  if (!root || !trialId) return;
  const texts = JSON.parse(root.dataset.texts ?? "{}") as ConsoleTexts;
  const slots = Number(root.dataset.slots);
  const waitlistSize = Number(root.dataset.waitlistSize);
  const series = new LiveSeries(
    Number(root.dataset.applicants),
    Number(root.dataset.filled),
    serverNow(),
  );

  const setFigure = (name: string, text: string) => {
    const el = root.querySelector<HTMLElement>(`[data-figure="${name}"]`);
    if (el && el.textContent !== text) el.textContent = text;
  };
  const connection = document.getElementById("console-connection");
  const say = (text: string) => {
    if (connection) connection.textContent = text;
  };

  const arrivalsEl = document.getElementById("arrivals-chart");
  const fillEl = document.getElementById("fill-chart");
  const specs = () => {
    const arrivals = series.arrivalsPerSecond();
    const fill = series.fillCurve();
    const arrivalsSpec: ChartSpec = {
      time: true,
      step: 1,
      x: arrivals.x,
      series: [{ label: texts.arrivals, y: arrivals.y, style: "bars", colour: "accent" }],
    };
    const fillSpec: ChartSpec = {
      time: true,
      x: fill.x,
      series: [
        { label: texts.filled, y: fill.y, style: "line", colour: "accent" },
        { label: texts.slotsLine, y: fill.x.map(() => slots), style: "limit", colour: "won" },
        {
          label: texts.capacityLine,
          y: fill.x.map(() => slots + waitlistSize),
          style: "limit",
          colour: "wait",
        },
      ],
    };
    return { arrivalsSpec, fillSpec };
  };
  const initial = specs();
  const arrivalsChart = arrivalsEl ? drawChart(arrivalsEl, initial.arrivalsSpec) : null;
  const fillChart = fillEl ? drawChart(fillEl, initial.fillSpec) : null;

  // Redrawn at most once per animation frame, however many frames the room sends.
  let redrawPending = false;
  const redraw = () => {
    if (redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(() => {
      redrawPending = false;
      const { arrivalsSpec, fillSpec } = specs();
      arrivalsChart?.update(arrivalsSpec);
      fillChart?.update(fillSpec);
      setFigure("peak", String(series.peakPerSecond()));
    });
  };

  // The applications list was read with the page: say so when newer ones exist.
  const listedApplicants = Number(root.dataset.applicants);
  const showFigures = (f: Figures) => {
    const stale = document.getElementById("applications-stale");
    if (stale && f.applicants > listedApplicants) stale.hidden = false;
    setFigure("remaining", String(f.remaining));
    setFigure("won", `${f.won} / ${slots}`);
    setFigure("waitlisted", `${f.waitlisted} / ${waitlistSize}`);
    setFigure("applicants", String(f.applicants));
    if (typeof f.rejected === "number") setFigure("rejected", String(f.rejected));
  };

  let lastStatus = root.dataset.status ?? "";
  const showStatus = (status: string, closedReason: string | null) => {
    const name = texts.statuses[status] ?? status;
    const why = status === "CLOSED" && closedReason ? texts.closedReasons[closedReason] : null;
    const text = why ? `${name} (${why})` : name;
    const badge = document.getElementById("console-status");
    if (badge) {
      badge.textContent = text;
      badge.className = `status trial-status-${status}`;
    }
    root.dataset.status = status;
    // Edit only while scheduled, cancel until closed: the links go when they stop working.
    for (const el of document.querySelectorAll<HTMLElement>("[data-while]")) {
      el.hidden = !(el.dataset.while ?? "").split(" ").includes(status);
    }
    // Announced once per change (the figures change too often to be read out).
    const announcer = document.getElementById("console-announcer");
    if (announcer && (status !== lastStatus || announcer.textContent !== text)) {
      announcer.textContent = text;
    }
    lastStatus = status;
  };

  let closedReason: string | null = null;
  const onMessage = (message: LiveMessage) => {
    if (message.type === "hello") {
      syncServerClock(message.serverTime);
      const trial = message.trial as Figures & { status: string; closedReason: string | null };
      closedReason = trial.closedReason;
      showFigures(trial);
      showStatus(trial.status, trial.closedReason);
      series.record(Date.parse(message.serverTime), trial.applicants, trial.won + trial.waitlisted);
      redraw();
    } else if (message.type === "status") {
      closedReason = message.closedReason;
      showStatus(message.status, message.closedReason);
    } else if (message.type === "counts") {
      // `rejected` is read if the room sends it (refused demand, newer rooms).
      showFigures(message as typeof message & { rejected?: number });
      if (message.status !== root.dataset.status) showStatus(message.status, closedReason);
      series.record(Date.parse(message.at), message.applicants, message.won + message.waitlisted);
      redraw();
    }
  };

  const onLifecycle = (event: RoomLifecycle) => {
    if (event.type === "opened") say(texts.connected);
    else if (event.type === "retrying") say(texts.retrying);
    else if (event.type === "ended") say(texts.stopped);
  };

  say(texts.connecting);
  openTrialRoom(location.origin, trialId, { onMessage, onLifecycle });
}
