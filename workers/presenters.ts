import type { Application, GateSnapshot } from "../core/first-come/types";
import type { applications, products, reviews, trials, users } from "../db/schema";
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

/** Live counts and status come from the gate; the row supplies the catalog fields. */
export function presentTrial(t: typeof trials.$inferSelect, live: GateSnapshot | null) {
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
    status: live?.status ?? t.status,
    closedReason: live ? live.closedReason : t.closedReason,
    won: live?.won ?? 0,
    waitlisted: live?.waitlisted ?? 0,
    remaining: live?.remaining ?? t.slots,
    applicants: live?.applicants ?? 0,
    createdAt: iso(t.createdAt),
  };
}

export function presentApplication(a: Application | typeof applications.$inferSelect) {
  return {
    id: a.id,
    trialId: a.trialId,
    userId: a.userId,
    seq: a.seq,
    status: a.status,
    position: a.position,
    note: a.note,
    appliedAt: iso(a.appliedAt),
    decidedAt: iso(a.decidedAt),
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
