import { describe, expect, it } from "vitest";
import { buildApplicantFilter, mightHaveApplied } from "../../core/first-come/applicant-filter";

const ids = (n: number) => Array.from({ length: n }, () => crypto.randomUUID());

describe("the applicant filter of a closed trial", () => {
  it("never misses a member who applied (no false negatives), at 10 000 applicants", () => {
    const applied = ids(10_000);
    const filter = buildApplicantFilter(applied, applied.length);
    expect(applied.every((id) => mightHaveApplied(filter, id))).toBe(true);
    // ~10 bits per applicant: a 10 000-place trial ships about 12.5 KB to each isolate.
    expect(filter.bits.length).toBe(12_500);
  });

  it("refuses almost every newcomer: false positives stay near 1 %", () => {
    const filter = buildApplicantFilter(ids(10_000), 10_000);
    const newcomers = ids(10_000);
    const falsePositives = newcomers.filter((id) => mightHaveApplied(filter, id)).length;
    expect(falsePositives).toBeLessThan(300);
  });

  it("an empty trial's filter refuses everybody", () => {
    const filter = buildApplicantFilter([], 0);
    expect(ids(100).some((id) => mightHaveApplied(filter, id))).toBe(false);
  });
});
