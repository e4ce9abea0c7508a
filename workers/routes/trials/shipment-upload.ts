import { CsvError, parse } from "csv-parse/sync";
import { createMiddleware } from "hono/factory";
import { JOURNEY_RULES } from "../../../core/vocabulary/journey";
import type { AppContext, AppEnv } from "../../context";
import { AppError } from "../../errors";
import { RowProblem } from "../../journeys/bulk-shipments";
import { readBounded } from "../../lib/read-bounded";
import { refuseDeepNesting } from "../../middleware/json-depth";

/**
 * A bulk shipment upload: a JSON array of rows or a CSV with a header row. Rows are about
 * 150 bytes (a UUID, a carrier of at most 50 characters, a tracking number of at most 64,
 * quoting): 512 KiB holds the most rows an upload may carry with room to spare.
 */
const MAX_SHIPMENT_UPLOAD_BYTES = 512 * 1024;
export const SHIPMENT_UPLOAD_TYPES = ["application/json", "text/csv"] as const;
const CSV_COLUMNS = ["applicationId", "carrier", "trackingNumber"] as const;

type UploadType = (typeof SHIPMENT_UPLOAD_TYPES)[number];

/**
 * Mounted before the JSON body step (workers/app.ts), which takes JSON objects only: 415
 * unless the body is JSON or CSV, 413 past the size (decided while streaming). The bytes go to
 * hono's body cache, where the idempotency step hashes them and `uploadedRows` reads them.
 */
export const shipmentUpload = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!uploadTypeOf(c.req.header("content-type"))) {
      throw new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        `Send the rows as ${SHIPMENT_UPLOAD_TYPES.join(" or ")}.`,
      );
    }
    const bytes = await readBounded(c.req.raw, MAX_SHIPMENT_UPLOAD_BYTES, tooLarge);
    (c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(bytes.buffer);
    await next();
  });

/**
 * The upload's rows, not yet checked one by one: 400 MALFORMED_JSON for JSON that does not
 * parse, 400 VALIDATION_FAILED for a body that is no list of rows (not an array, a CSV
 * without the header, a CSV that does not parse) or holds more than maxBulkRows.
 */
export async function uploadedRows(c: AppContext): Promise<unknown[]> {
  const type = uploadTypeOf(c.req.header("content-type"));
  if (!type) throw new Error("uploadedRows() runs after shipmentUpload()");
  const text = decodeUtf8(new Uint8Array(await c.req.arrayBuffer()), type);
  const rows = type === "text/csv" ? csvRows(text) : jsonRows(text);
  if (rows.length === 0) throw invalid("Send at least one row.");
  if (rows.length > JOURNEY_RULES.maxBulkRows) {
    throw invalid(`An upload holds at most ${JOURNEY_RULES.maxBulkRows} rows.`);
  }
  return rows;
}

function jsonRows(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("MALFORMED_JSON", "The request body is not valid JSON.");
  }
  if (!Array.isArray(parsed)) {
    throw invalid("The body must be a JSON array of {applicationId, carrier, trackingNumber}.");
  }
  // The rows are walked next (their checks are recursive): refused as the JSON body step does.
  refuseDeepNesting(parsed);
  return parsed;
}

/**
 * RFC 4180 CSV through csv-parse (docs/decisions/0037): quoted fields may hold commas,
 * quotes and line breaks. A short row keeps its missing fields undefined, so its own check
 * names them; a long one is that row's problem too (an extra column is refused).
 */
function csvRows(text: string): unknown[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (err) {
    if (err instanceof CsvError) throw invalid(`The CSV does not parse: ${err.message}`);
    throw err;
  }
  const [header, ...data] = records;
  const names = (header ?? []).map((name) => name.trim());
  if (names.length !== CSV_COLUMNS.length || CSV_COLUMNS.some((c) => !names.includes(c))) {
    throw invalid(`The CSV's first row must name the columns ${CSV_COLUMNS.join(",")}.`);
  }
  return data.map((fields) => {
    if (fields.length > names.length) {
      return new RowProblem(`has ${fields.length} fields; the header names ${names.length}`);
    }
    // A field the row lacks is left out, so its check says it is missing, as for JSON.
    return Object.fromEntries(
      names.flatMap((name, i) => (i < fields.length ? [[name, fields[i]]] : [])),
    );
  });
}

function decodeUtf8(bytes: Uint8Array, type: UploadType): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw type === "application/json"
      ? new AppError("MALFORMED_JSON", "The request body is not valid JSON.")
      : invalid("The CSV must be UTF-8.");
  }
}

/** JSON as the JSON body step takes it: application/json and its +json kin. */
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

/** The media type without parameters, lower-cased, when it is one the upload takes. */
function uploadTypeOf(header: string | undefined): UploadType | null {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (JSON_TYPE.test(type)) return "application/json";
  return type === "text/csv" ? "text/csv" : null;
}

function invalid(message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, [{ path: "", message }]);
}

function tooLarge(): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `An upload must be at most ${MAX_SHIPMENT_UPLOAD_BYTES} bytes.`,
  );
}
