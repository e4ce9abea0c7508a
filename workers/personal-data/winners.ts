import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import type { PersonalDataRead } from "../../core/vocabulary/journey";
import type { Database } from "../../db/client";
import {
  applications,
  dataAccessLog,
  shippingAddresses,
  users,
  winnerJourneys,
} from "../../db/schema";
import type { Caller } from "../context";
import { cursorField, defineCursor, type Page } from "../lib/cursor";
import type { TrialRow } from "../services/trials";
import type { PersonalDataKeys } from "./keys";
import { openShippingAddress } from "./sealing";

/** The winners list's cursor: the last seq shown. */
export const WinnerCursor = defineCursor({ seq: cursorField.seq });

const SHIPPING_ADDRESS: PersonalDataRead = "SHIPPING_ADDRESS";

export interface WinnerQuery {
  limit: number;
  /** The seq of the last winner of the previous page; 0 for the first page. */
  afterSeq: number;
}

/**
 * A trial's confirmed winners (WON with confirmed_at set, and an address on file) in seq
 * order, each with the address opened, for the company that ships to them.
 *
 * Every address shown is one row of data_access_log, written in the same transaction as the
 * read: when the log cannot be written the transaction fails and no address leaves. Only the
 * page's rows are opened and logged, never the extra row fetched to tell whether another
 * page exists. The caller has been checked as the trial's owner or an ADMIN.
 */
export async function readConfirmedWinners(
  db: Database,
  keys: PersonalDataKeys,
  reader: Caller,
  trial: TrialRow,
  query: WinnerQuery,
): Promise<Page<ReturnType<typeof presentWinner>>> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        applicationId: applications.id,
        userId: applications.userId,
        name: users.name,
        seq: applications.seq,
        confirmedAt: applications.confirmedAt,
        keyId: shippingAddresses.keyId,
        sealed: shippingAddresses.sealed,
        carrier: winnerJourneys.carrier,
        trackingNumber: winnerJourneys.trackingNumber,
        shippedAt: winnerJourneys.shippedAt,
      })
      .from(applications)
      .innerJoin(shippingAddresses, eq(shippingAddresses.applicationId, applications.id))
      .innerJoin(users, eq(users.id, applications.userId))
      .leftJoin(winnerJourneys, eq(winnerJourneys.applicationId, applications.id))
      .where(
        and(
          eq(applications.trialId, trial.id),
          eq(applications.status, "WON"),
          isNotNull(applications.confirmedAt),
          gt(applications.seq, query.afterSeq),
        ),
      )
      .orderBy(asc(applications.seq))
      .limit(query.limit + 1);
    const shown = rows.slice(0, query.limit);

    // Opened before the log is written: an address that does not open fails the whole read
    // (a server fault, logged by id and key id only), and nothing is recorded as read.
    const opened = await Promise.all(
      shown.map(async (r) => ({
        row: r,
        address: await openShippingAddress(keys, r.applicationId, r),
      })),
    );
    if (shown.length > 0) {
      // Milliseconds on purpose: the member's list pages by this instant (access-log.ts).
      const at = new Date();
      await tx.insert(dataAccessLog).values(
        shown.map((r) => ({
          userId: r.userId,
          readerId: reader.userId,
          companyId: trial.companyId,
          trialId: trial.id,
          what: SHIPPING_ADDRESS,
          at,
        })),
      );
    }
    const last = shown.at(-1);
    return {
      items: opened.map(({ row, address }) => presentWinner(row, address)),
      nextCursor: rows.length > query.limit && last ? WinnerCursor.encode({ seq: last.seq }) : null,
    };
  });
}

interface WinnerRow {
  applicationId: string;
  userId: string;
  name: string;
  seq: number;
  confirmedAt: Date | null;
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: Date | null;
}

/** A confirmed winner as the company sees one; the shipment fields stay null until shipped. */
function presentWinner(
  r: WinnerRow,
  address: { recipient: string; phone: string; address: string },
) {
  return {
    applicationId: r.applicationId,
    userId: r.userId,
    name: r.name,
    seq: r.seq,
    // Never null here: the query admits confirmed applications only.
    confirmedAt: (r.confirmedAt ?? new Date(0)).toISOString(),
    recipient: address.recipient,
    phone: address.phone,
    address: address.address,
    carrier: r.carrier,
    trackingNumber: r.trackingNumber,
    shippedAt: r.shippedAt ? r.shippedAt.toISOString() : null,
  };
}
