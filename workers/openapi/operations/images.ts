import { IMAGE_TYPES } from "../../../core/vocabulary/images";
import { noContent, type OperationDoc, ROLE_GUARD } from "../operation-doc";
import * as R from "../responses";

/** Image uploads, downloads and deletion. Keyed by `METHOD path` as Hono lists the route. */
export const IMAGE_OPERATIONS: Record<string, OperationDoc> = {
  "POST /v1/images": {
    summary: "Upload an image (the raw bytes, at most 5 MiB)",
    tag: "Images",
    security: "bearer",
    who: "COMPANY, ADMIN",
    rawBody: { media: IMAGE_TYPES, description: "The image bytes; they must match the type" },
    responses: {
      201: {
        description: "Stored",
        schema: R.ImageUpload,
        headers: { Location: "The image's URL" },
      },
    },
    errors: [
      ...ROLE_GUARD,
      "VALIDATION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "RATE_LIMITED",
    ],
  },
  "GET /v1/images/:id": {
    summary: "An image's bytes",
    tag: "Images",
    security: "none",
    responses: {
      200: {
        description: "The bytes, cacheable for a year",
        media: IMAGE_TYPES,
        headers: { ETag: "Never changes for an id", "Cache-Control": "Long-lived, immutable" },
      },
      304: { description: "Not modified (If-None-Match matched the ETag)" },
    },
    errors: ["IMAGE_NOT_FOUND"],
  },
  "DELETE /v1/images/:id": {
    summary: "Delete an image",
    tag: "Images",
    security: "bearer",
    who: "owner, ADMIN",
    responses: noContent,
    errors: ["NOT_THE_OWNER", "IMAGE_NOT_FOUND"],
  },
};
