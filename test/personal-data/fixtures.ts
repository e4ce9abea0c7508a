import { applications, shippingAddresses, trials } from "../../db/schema";
import { type ShippingAddress, sealShippingAddress } from "../../workers/personal-data/sealing";
import { testConfig, withDb } from "../support/workerd/db";
import { createProduct, type TestUser } from "../support/workerd/fixtures";

/**
 * Confirmed winners straight into Postgres, as the decisions consumer leaves them: the
 * application WON with confirmed_at, and its address sealed with the configured key.
 * Trials are catalog rows only, closed and aged past every job that reads the gates
 * (reconciliation, statistics): the routes under test read Postgres alone.
 */

const DAY_MS = 86_400_000;

export const daysBefore = (at: Date | number, days: number) =>
  new Date(new Date(at).getTime() - days * DAY_MS);

/** A trial of `company` that closed at `closesAt` (two days ago unless told otherwise). */
export async function insertClosedTrial(
  company: TestUser,
  closesAt: Date = daysBefore(Date.now(), 2),
): Promise<string> {
  const productId = await createProduct(company);
  const id = crypto.randomUUID();
  await withDb((db) =>
    db.insert(trials).values({
      id,
      productId,
      companyId: company.id,
      title: "Closed trial under test",
      description: "",
      slots: 10,
      waitlistSize: 0,
      opensAt: daysBefore(closesAt, 1),
      closesAt,
      status: "CLOSED",
      closedReason: "ENDED",
      createdAt: daysBefore(closesAt, 2),
      updatedAt: closesAt,
    }),
  );
  return id;
}

/** An address whose every field holds a marker found nowhere else. */
export function uniqueAddress(): ShippingAddress {
  const marker = crypto.randomUUID().slice(0, 8);
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
  return {
    recipient: `Hanako ${marker}`,
    phone: `+81 90-${digits.slice(0, 4)}-${digits.slice(4)}`,
    address: `${marker} Sakura-dori 1-2-3\nChiyoda-ku, Tokyo`,
  };
}

export interface SeededWinner {
  applicationId: string;
  member: TestUser;
  seq: number;
  address: ShippingAddress | null;
}

/**
 * One application of `member` to the trial. WON and confirmed with an address by default;
 * `confirmed: false` leaves a WON that never confirmed (no address), `status` another outcome.
 */
export async function seedApplication(
  trialId: string,
  member: TestUser,
  seq: number,
  opts: { confirmed?: boolean; status?: "WON" | "WAITLISTED" | "CANCELLED" } = {},
): Promise<SeededWinner> {
  const confirmed = opts.confirmed ?? true;
  const applicationId = crypto.randomUUID();
  const decidedAt = daysBefore(Date.now(), 3);
  const address = confirmed ? uniqueAddress() : null;
  const sealed = address
    ? await sealShippingAddress(testConfig().personalData, applicationId, address)
    : null;
  await withDb((db) =>
    db.transaction(async (tx) => {
      await tx.insert(applications).values({
        id: applicationId,
        trialId,
        userId: member.id,
        seq,
        status: opts.status ?? "WON",
        appliedAt: decidedAt,
        decidedAt,
        version: 1,
        confirmedAt: confirmed ? daysBefore(Date.now(), 2) : null,
        // Aged like the trial, so no statistics job picks it up as news.
        persistedAt: decidedAt,
      });
      if (sealed) {
        await tx.insert(shippingAddresses).values({
          applicationId,
          userId: member.id,
          trialId,
          ...sealed,
        });
      }
    }),
  );
  return { applicationId, member, seq, address };
}
