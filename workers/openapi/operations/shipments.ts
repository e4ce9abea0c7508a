import * as v from "valibot";
import { JOURNEY_RULES } from "../../../core/vocabulary/journey";
import { ShipmentRow } from "../../journeys/shipment-input";
import { SHIPMENT_UPLOAD_TYPES } from "../../routes/trials/shipment-upload";
import { type OperationDoc, OWNER_GUARD, ok, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

const { extensionDays, maxBulkRows } = JOURNEY_RULES;

/** Shipping a confirmed winner's product and the review deadline it starts (API.md "After the win"). */
export const SHIPMENT_OPERATIONS: Record<string, OperationDoc> = {
  "PUT /v1/trials/:id/applications/:applicationId/shipment": {
    summary: "Record (or correct) the shipment of a confirmed winner's product",
    tag: "After the win",
    security: "bearer",
    who: "the trial's company, ADMIN",
    notes:
      "The first shipment sets `shippedAt` and starts the review deadline (`reviewDueAt` = " +
      "shippedAt + the trial's reviewWithinDays) and sends the winner a SHIPPED message on " +
      "Slack; a later one corrects carrier and tracking number only (the deadline stays). " +
      "Only for a winner who confirmed an address (else 409 `NOT_CONFIRMED`).",
    responses: ok(R.Journey),
    errors: [...OWNER_GUARD, "TRIAL_NOT_FOUND", "APPLICATION_NOT_FOUND", "NOT_CONFIRMED"],
  },
  "POST /v1/trials/:id/shipments": {
    summary: "Record many shipments at once (a JSON array or a CSV)",
    tag: "After the win",
    security: "bearer",
    who: "the trial's company, ADMIN",
    notes:
      `Up to ${maxBulkRows} rows, as a JSON array of {applicationId, carrier, trackingNumber} ` +
      "or as text/csv whose first row names the columns `applicationId,carrier,trackingNumber` " +
      "(RFC 4180: quote a field that holds a comma, a quote or a line break). Each row is " +
      "checked on its own: the answer counts the rows written (`accepted`) and lists each " +
      "refused one with its `row` (data rows from 1; a CSV header is not a row) and why: " +
      "`VALIDATION_FAILED` (a field, or an application an earlier row already names), " +
      "`APPLICATION_NOT_FOUND`, `NOT_CONFIRMED`. The accepted rows are written together or not " +
      "at all. A row behaves as the PUT above does.",
    rawBody: {
      media: SHIPMENT_UPLOAD_TYPES,
      description: "The rows, as a JSON array or a CSV with a header row",
      jsonSchema: v.array(ShipmentRow),
    },
    responses: ok(R.ShipmentUploadResult),
    errors: [
      ...OWNER_GUARD,
      "TRIAL_NOT_FOUND",
      "VALIDATION_FAILED",
      "MALFORMED_JSON",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
    ],
  },
  "POST /v1/trials/:id/applications/me/extend": {
    summary: `Extend the caller's review deadline by ${extensionDays} days, once`,
    tag: "After the win",
    security: "bearer",
    who: "MEMBER (the winner)",
    notes:
      "409 `NOT_SHIPPED` before the shipment, `EXTENSION_USED` on a second extension, " +
      "`JOURNEY_COMPLETE` once the journey ended (a review in time, or the deadline passed).",
    responses: ok(R.Journey),
    errors: [
      ...ROLE_GUARD,
      "TRIAL_NOT_FOUND",
      "APPLICATION_NOT_FOUND",
      "NOT_SHIPPED",
      "EXTENSION_USED",
      "JOURNEY_COMPLETE",
    ],
  },
};
