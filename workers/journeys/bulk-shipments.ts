import * as v from "valibot";
import type { ShipmentRowRefusal } from "../../core/vocabulary/journey";
import type { Database } from "../../db/client";
import type { Caller } from "../context";
import { unstorableText } from "../middleware/storable-text";
import { ShipmentRow, type ShipmentRowInput } from "./shipment-input";
import { ownedTrial, refusalsOf, writeShipments } from "./shipments";

/** A row the upload could not take: `row` counts data rows from 1 (a CSV header is not one). */
export interface RefusedRow {
  row: number;
  code: ShipmentRowRefusal;
  message: string;
}

export interface BulkResult {
  accepted: number;
  refused: RefusedRow[];
}

/** A row the upload's reader already found broken (a CSV row with more fields than the header). */
export class RowProblem {
  constructor(readonly message: string) {}
}

interface NumberedRow {
  row: number;
  input: ShipmentRowInput;
}

/**
 * POST /v1/trials/:id/shipments: each row is checked on its own (its fields, then a repeat of
 * an application an earlier row names, then the application in the trial), and the rows that
 * pass are written in ONE transaction: all of them, or none when Postgres fails (the caller
 * gets the error and may send the same upload again).
 */
export async function recordBulkShipments(
  db: Database,
  caller: Caller,
  trialId: string,
  rows: readonly unknown[],
  at: Date,
): Promise<BulkResult> {
  const trial = await ownedTrial(db, caller, trialId);
  const refused: RefusedRow[] = [];
  const valid: NumberedRow[] = [];
  const firstRowOf = new Map<string, number>();
  rows.forEach((raw, i) => {
    const row = i + 1;
    const problem = fieldProblem(raw);
    if (problem) {
      refused.push({ row, code: "VALIDATION_FAILED", message: problem });
      return;
    }
    const input = v.parse(ShipmentRow, raw);
    const first = firstRowOf.get(input.applicationId);
    if (first !== undefined) {
      refused.push({
        row,
        code: "VALIDATION_FAILED",
        message: `applicationId repeats row ${first}: one row per application`,
      });
      return;
    }
    firstRowOf.set(input.applicationId, row);
    valid.push({ row, input });
  });

  const accepted = await db.transaction(async (tx) => {
    const refusals = await refusalsOf(
      tx,
      trial.id,
      valid.map((r) => r.input.applicationId),
    );
    const shippable: ShipmentRowInput[] = [];
    for (const { row, input } of valid) {
      const refusal = refusals.get(input.applicationId);
      if (refusal === "APPLICATION_NOT_FOUND") {
        refused.push({ row, code: refusal, message: "This trial has no such application." });
      } else if (refusal === "NOT_CONFIRMED") {
        refused.push({
          row,
          code: refusal,
          message: "A shipment is accepted only for a winner who confirmed an address.",
        });
      } else {
        shippable.push(input);
      }
    }
    return (await writeShipments(tx, trial, shippable, at)).length;
  });
  refused.sort((a, b) => a.row - b.row);
  return { accepted, refused };
}

/** What is wrong with a row's fields, as one line ("carrier: must not be empty; …"), or null. */
function fieldProblem(raw: unknown): string | null {
  if (raw instanceof RowProblem) return raw.message;
  const unstorable = unstorableText(raw);
  if (unstorable.length > 0) return describe(unstorable);
  const result = v.safeParse(ShipmentRow, raw);
  if (result.success) return null;
  return describe(
    result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? "", message: issue.message })),
  );
}

function describe(problems: { path: string; message: string }[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ");
}
