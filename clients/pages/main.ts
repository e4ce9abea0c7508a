import { startConsole } from "./console";
import { startCountdowns } from "./countdown";
import { showImagePreview } from "./image-preview";
import { showLocalTimes } from "./local-times";
import { startServerClock } from "./server-clock";
import { startStatsCharts } from "./stats-charts";
import { startTrialPage } from "./trial-page";

/**
 * The pages' one script (bundled by scripts/build-pages.ts). Pages work without it; with it,
 * countdowns tick and each page's live part starts: `<body data-page>` names which.
 */
type PageScript = () => void | Promise<void>;

/** Each page's live part, by the name its `<body data-page>` gives. */
const PAGE_SCRIPTS: Record<string, PageScript> = {
  trial: startTrialPage,
  console: startConsole,
  stats: startStatsCharts,
  "trial-form": showLocalTimes,
  "product-form": showImagePreview,
};

function start() {
  startServerClock();
  startCountdowns();
  const script = PAGE_SCRIPTS[document.body.dataset.page ?? ""];
  if (script) void script();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
