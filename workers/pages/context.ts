import type { Context } from "hono";
import type { AppEnv } from "../context";
import type { Texts } from "./i18n";
import type { PageContext, Viewer } from "./layout";
import type { PageApi } from "./session/api";

/** What every page handler has: the app's variables, the language and the API as the viewer. */
export type PagesEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    language: string;
    texts: Texts;
    api: PageApi;
    viewer: Viewer;
  };
};

export type PageRequest = Context<PagesEnv>;

export function pageContext(c: PageRequest): PageContext {
  const url = new URL(c.req.url);
  return { t: c.var.texts, viewer: c.var.viewer, here: `${url.pathname}${url.search}` };
}
