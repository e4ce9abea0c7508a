import type { GateSnapshot } from "../core/first-come/types";
import { liveFieldsOf } from "../core/wire/trial-live";

export { presentApplication } from "../core/wire/application";

import type { products, reviews, trials, users } from "../db/schema";
import type { ProductImage } from "./services/product-images";

/** Database rows and domain values to the JSON shapes of the API contract. */

const iso = (ms: number | Date) => new Date(ms).toISOString();

export function presentUser(u: typeof users.$inferSelect) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    slackId: u.slackId,
    /** Sent a code, not linked yet: no result message goes to it (docs/decisions/0026). */
    pendingSlackId: u.pendingSlackId,
    createdAt: iso(u.createdAt),
  };
}

export function presentProduct(p: typeof products.$inferSelect, images: ProductImage[] = []) {
  return {
    id: p.id,
    companyId: p.companyId,
    name: p.name,
    description: p.description,
    category: p.category,
    images,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/**
 * Live counts and status come from the gate (core/wire/trial-live.ts); the row supplies the
 * catalog fields, and the row's own status while no gate answered.
 */
export function presentTrial(t: typeof trials.$inferSelect, snapshot: GateSnapshot | null) {
  const live = snapshot
    ? liveFieldsOf(snapshot)
    : {
        status: t.status,
        closedReason: t.closedReason,
        won: 0,
        waitlisted: 0,
        remaining: t.slots,
        applicants: 0,
      };
  return {
    id: t.id,
    productId: t.productId,
    companyId: t.companyId,
    title: t.title,
    description: t.description,
    slots: t.slots,
    waitlistSize: t.waitlistSize,
    opensAt: iso(t.opensAt),
    closesAt: iso(t.closesAt),
    ordering: t.ordering,
    shuffleSeconds: t.shuffleSeconds,
    confirmWithinMinutes: t.confirmWithinMinutes,
    reviewWithinDays: t.reviewWithinDays,
    seedCommitment: t.seedCommitment,
    // Only the gate knows the seed, and tells it once drawn.
    seed: snapshot?.seed ?? null,
    ...live,
    createdAt: iso(t.createdAt),
  };
}

export function presentReview(r: typeof reviews.$inferSelect) {
  return {
    id: r.id,
    trialId: r.trialId,
    productId: r.productId,
    userId: r.userId,
    rating: r.rating,
    title: r.title,
    body: r.body,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}
