import { Hono } from "hono";
import type { PagesEnv } from "../context";

/** The company's pages: products, trials, the live console, statistics. */
export const companyPages = new Hono<PagesEnv>();
