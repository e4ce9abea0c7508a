import { Hono } from "hono";
import type { AppEnv, Runtime } from "./context";
import { onError, onNotFound } from "./error-handler";
import { jsonBody } from "./middleware/json-body";
import { requestId } from "./middleware/request-id";
import { requestLog } from "./middleware/request-log";
import { storableQuery } from "./middleware/storable-text";
import { pageRoutes } from "./pages";
import type { AppFetch } from "./pages/session/api";
import { adminRoutes } from "./routes/admin";
import { authRoutes } from "./routes/auth";
import { docsRoutes } from "./routes/docs";
import { healthRoutes } from "./routes/health";
import { imageRoutes } from "./routes/images";
import { meRoutes } from "./routes/me";
import { metricsRoutes } from "./routes/metrics";
import { openApiRoutes } from "./routes/openapi";
import { dataAccessRoutes, winnerRoutes } from "./routes/personal-data";
import { productRoutes } from "./routes/products";
import { reviewRoutes } from "./routes/reviews";
import { statsRoutes } from "./routes/stats";
import { trialRoutes } from "./routes/trials";
import { bulkShipmentRoutes } from "./routes/trials/shipments";
import { userRoutes } from "./routes/users";
import { wellKnownRoutes } from "./routes/well-known";

/**
 * The one app factory: the Workers entry, the Deno entry and the tests all build the API
 * here, each passing the runtime that supplies config, database, gates and cache.
 */
export function newApp(runtime: Runtime) {
  const v1 = new Hono<AppEnv>()
    // Image uploads are raw bytes with their own size and type checks: registered before
    // the JSON body middleware, so it never runs for them.
    .route("/images", imageRoutes)
    // So is the bulk shipment upload: a JSON array or a CSV (routes/trials/shipments.ts).
    .route("/trials", bulkShipmentRoutes)
    .use(storableQuery())
    .use(jsonBody())
    .route("/auth", authRoutes)
    .route("/users", userRoutes)
    .route("/users", dataAccessRoutes)
    .route("/me", meRoutes)
    .route("/products", productRoutes)
    .route("/trials", trialRoutes)
    .route("/trials", winnerRoutes)
    .route("/stats", statsRoutes)
    .route("/reviews", reviewRoutes)
    .route("/admin", adminRoutes);

  // The pages are a client of this same app: they reach /v1 through app.fetch (typed ahead
  // of `app`, which TypeScript cannot infer through its own initializer).
  const appFetch: AppFetch = (request, env, ctx) => app.fetch(request, env, ctx);

  const app = new Hono<AppEnv>()
    .use(requestId())
    .use(requestLog())
    .use(async (c, next) => {
      const deps = runtime.deps(c);
      c.set("deps", deps);
      try {
        await next();
      } finally {
        // Close after the response is built; the connection must not outlive the request.
        deps.waitUntil(deps.db.close());
      }
    })
    .route("/", healthRoutes)
    .route("/", openApiRoutes)
    .route("/", docsRoutes)
    .route("/", metricsRoutes)
    .route("/", wellKnownRoutes)
    .route("/", pageRoutes(appFetch))
    .route("/v1", v1);

  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

export type App = ReturnType<typeof newApp>;
