import { Hono } from "hono";
import type { PagesEnv } from "../context";
import { myApplicationsPage } from "./my-applications";
import { applyAction, confirmAction, reviewAction } from "./trial-actions";
import { trialPage } from "./trial-page";
import { trialsListPage } from "./trials-list";

/** The member's pages: the trials, a trial's page (and its forms), one's applications. */
export const memberPages = new Hono<PagesEnv>()
  .get("/", trialsListPage)
  .get("/trials/:id", trialPage)
  .post("/trials/:id/apply", applyAction)
  .post("/trials/:id/confirm", confirmAction)
  .post("/trials/:id/review", reviewAction)
  .get("/me/applications", myApplicationsPage);
