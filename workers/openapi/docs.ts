import type { OperationDoc } from "./operation-doc";
import { ACCOUNT_OPERATIONS } from "./operations/accounts";
import { APPLICATION_OPERATIONS } from "./operations/applications";
import { CATALOG_OPERATIONS } from "./operations/catalog";
import { CONFIRMATION_OPERATIONS } from "./operations/confirmation";
import { FILL_LOG_OPERATIONS } from "./operations/fill-log";
import { IMAGE_OPERATIONS } from "./operations/images";
import { LIVE_ROOM_OPERATIONS } from "./operations/live-room";
import { NOTIFICATION_OPERATIONS } from "./operations/notifications";
import { PERSONAL_DATA_OPERATIONS } from "./operations/personal-data";
import { REVIEW_OPERATIONS } from "./operations/reviews";
import { SERVICE_OPERATIONS } from "./operations/service";
import { SHIPMENT_OPERATIONS } from "./operations/shipments";
import { STATS_OPERATIONS } from "./operations/stats";
import { STRIKE_OPERATIONS } from "./operations/strikes";

/**
 * Every route's documentation (./operation-doc.ts says what one holds), gathered from the
 * capabilities in ./operations/. Keyed by `METHOD path` exactly as Hono lists the route
 * (`/v1/trials/:id`); the generator refuses a route missing here. The order is the
 * document's order.
 */
export const OPERATIONS: Record<string, OperationDoc> = {
  ...SERVICE_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...IMAGE_OPERATIONS,
  ...CATALOG_OPERATIONS,
  ...APPLICATION_OPERATIONS,
  ...LIVE_ROOM_OPERATIONS,
  ...FILL_LOG_OPERATIONS,
  ...REVIEW_OPERATIONS,
  ...NOTIFICATION_OPERATIONS,
  ...STATS_OPERATIONS,
  ...CONFIRMATION_OPERATIONS,
  ...SHIPMENT_OPERATIONS,
  ...STRIKE_OPERATIONS,
  ...PERSONAL_DATA_OPERATIONS,
};
