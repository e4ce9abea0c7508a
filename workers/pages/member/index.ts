import { Hono } from "hono";
import type { PagesEnv } from "../context";
import { trialsListPage } from "./trials-list";

/** The member's pages: the trials, a trial's page, one's applications. */
export const memberPages = new Hono<PagesEnv>().get("/", trialsListPage);
