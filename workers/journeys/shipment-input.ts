import * as v from "valibot";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import { Uuid } from "../validation";

const { carrier, trackingNumber } = JOURNEY_RULES;

/** Carriers' tracking numbers are letters and digits, some with dashes; nothing else. */
const TRACKING_NUMBER = /^[A-Za-z0-9-]+$/;

/** What a company says about one parcel (API.md "After the win"). */
const ShipmentFields = {
  carrier: v.pipe(
    v.string("must be a string"),
    v.trim(),
    v.minLength(carrier.min, "must not be empty"),
    v.maxLength(carrier.max, `must be at most ${carrier.max} characters`),
  ),
  trackingNumber: v.pipe(
    v.string("must be a string"),
    v.description(
      `Letters, digits and '-' only, ${trackingNumber.min}..${trackingNumber.max} characters`,
    ),
    v.trim(),
    v.minLength(trackingNumber.min, "must not be empty"),
    v.maxLength(trackingNumber.max, `must be at most ${trackingNumber.max} characters`),
    v.regex(TRACKING_NUMBER, "must hold only letters, digits and '-'"),
  ),
};

/** PUT /v1/trials/:id/applications/:applicationId/shipment. */
export const ShipmentBody = v.object(ShipmentFields);
export type ShipmentInput = v.InferOutput<typeof ShipmentBody>;

/** One row of a bulk upload (a JSON array's element, or a CSV data row). */
export const ShipmentRow = v.object({ applicationId: Uuid, ...ShipmentFields });
export type ShipmentRowInput = v.InferOutput<typeof ShipmentRow>;

/** The path of the single-shipment route. */
export const ShipmentParams = v.object({ id: Uuid, applicationId: Uuid });
