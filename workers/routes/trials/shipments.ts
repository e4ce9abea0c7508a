import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { recordBulkShipments } from "../../journeys/bulk-shipments";
import { presentJourney } from "../../journeys/journey";
import { ShipmentBody, ShipmentParams } from "../../journeys/shipment-input";
import { recordShipment } from "../../journeys/shipments";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { IdParam, validate } from "../../validation";
import { shipmentUpload, uploadedRows } from "./shipment-upload";

/** PUT /v1/trials/:id/applications/:applicationId/shipment (mounted with the trial routes). */
export const shipmentRoutes = new Hono<AppEnv>().put(
  "/:id/applications/:applicationId/shipment",
  requireAuth(),
  requireRole("COMPANY", "ADMIN"),
  validate("param", ShipmentParams),
  validate("json", ShipmentBody),
  idempotent(),
  async (c) => {
    const { id, applicationId } = c.req.valid("param");
    const journey = await recordShipment(
      await c.var.deps.db.db(),
      c.var.caller,
      id,
      applicationId,
      c.req.valid("json"),
      new Date(),
    );
    return c.json(presentJourney(journey), 200);
  },
);

/**
 * POST /v1/trials/:id/shipments: many shipments at once, as a JSON array or a CSV. Mounted
 * before the JSON body step (workers/app.ts): that step takes JSON objects only, and this
 * body is an array or CSV with its own media types and size (./shipment-upload.ts).
 */
export const bulkShipmentRoutes = new Hono<AppEnv>().post(
  "/:id/shipments",
  requireAuth(),
  requireRole("COMPANY", "ADMIN"),
  validate("param", IdParam),
  shipmentUpload(),
  idempotent(),
  async (c) => {
    const result = await recordBulkShipments(
      await c.var.deps.db.db(),
      c.var.caller,
      c.req.valid("param").id,
      await uploadedRows(c),
      new Date(),
    );
    return c.json(result, 200);
  },
);
