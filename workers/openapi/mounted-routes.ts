import { newApp } from "../app";
import { pageRouteKeys } from "../pages";
import { type ValidatorInfo, validatorOf } from "../validation";

/**
 * The routes as the app really mounts them, read from Hono's route table: what the OpenAPI
 * generator documents and what the coverage tests walk, so neither keeps a list of its own.
 */

export interface MountedRoute {
  method: string;
  path: string;
  validators: ValidatorInfo[];
  /** The route's own chain, in order: its middleware steps, then the handler. */
  steps: unknown[];
  /** The app-wide middleware (`.use`) that runs before the route's own chain. */
  door: unknown[];
}

/** The routes the app really serves, each with the validators its middleware chain runs. */
export function mountedRoutes(): MountedRoute[] {
  const app = newApp({
    deps: () => {
      throw new Error("routes are only listed here, never called");
    },
  });
  const byKey = new Map<string, MountedRoute>();
  const pages = pageRouteKeys();
  // Hono runs a `.use` step for a route only when it was registered before the route's
  // handler (image uploads are mounted before the JSON body step, so it never sees them).
  const used: { path: string; handler: unknown }[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL") {
      used.push(r);
      continue;
    }
    const key = `${r.method} ${r.path}`;
    if (pages.has(key)) continue;
    const route = byKey.get(key) ?? {
      method: r.method,
      path: r.path,
      validators: [],
      steps: [],
      door: used.filter((u) => covers(u.path, r.path)).map((u) => u.handler),
    };
    byKey.set(key, route);
    route.steps.push(r.handler);
    const info = validatorOf(r.handler);
    if (info) route.validators.push(info);
  }
  return [...byKey.values()];
}

/** Whether a `.use` path ("/*", "/v1/*") covers a route's path. */
function covers(usePath: string, routePath: string): boolean {
  if (!usePath.endsWith("*")) return usePath === routePath;
  const prefix = usePath.slice(0, -1);
  return routePath.startsWith(prefix) || routePath === prefix.replace(/\/$/, "");
}
