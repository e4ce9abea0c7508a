import { Hono } from "hono";
import type { PagesEnv } from "../context";
import { companyOnly } from "./access";
import { consolePage } from "./console";
import { dashboardPage } from "./dashboard";
import { createProduct, newProductPage } from "./product-new";
import { statsPage } from "./stats-page";
import { cancelTrial, cancelTrialPage } from "./trial-cancel";
import { createTrial, editTrialPage, newTrialPage, saveTrial } from "./trial-pages";

/** The company's pages: products, trials, the live console, statistics. */
export const companyPages = new Hono<PagesEnv>()
  .use("/company", companyOnly)
  .use("/company/*", companyOnly)
  .get("/company", dashboardPage)
  .get("/company/products/new", newProductPage)
  .post("/company/products/new", createProduct)
  .get("/company/trials/new", newTrialPage)
  .post("/company/trials/new", createTrial)
  .get("/company/trials/:id", consolePage)
  .get("/company/trials/:id/edit", editTrialPage)
  .post("/company/trials/:id/edit", saveTrial)
  .get("/company/trials/:id/cancel", cancelTrialPage)
  .post("/company/trials/:id/cancel", cancelTrial)
  .get("/company/trials/:id/stats", statsPage);
