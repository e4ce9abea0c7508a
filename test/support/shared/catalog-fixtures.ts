import type { Api } from "./api";

/** Products and trials go through the API (users are made by each suite's own fixtures). */
export interface TrialOptions {
  slots?: number;
  waitlistSize?: number;
  opensAt?: Date;
  closesAt?: Date;
  /** The after-the-win terms (API.md); absent: the API's defaults. */
  confirmWithinMinutes?: number | null;
  reviewWithinDays?: number;
}

export function catalogFixtures(api: Api) {
  async function createProduct(company: { token: string }, name = "Test product") {
    const res = await api("POST", "/v1/products", {
      token: company.token,
      body: { name, description: "A product under test" },
    });
    if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  /** A trial that is open now unless told otherwise. */
  async function createTrial(company: { token: string }, opts: TrialOptions = {}) {
    const productId = await createProduct(company);
    const res = await api("POST", "/v1/trials", {
      token: company.token,
      body: {
        productId,
        title: "Trial under test",
        description: "Try it first",
        slots: opts.slots ?? 3,
        waitlistSize: opts.waitlistSize ?? 0,
        opensAt: (opts.opensAt ?? new Date(Date.now() - 1000)).toISOString(),
        closesAt: (opts.closesAt ?? new Date(Date.now() + 3_600_000)).toISOString(),
        ...(opts.confirmWithinMinutes !== undefined && {
          confirmWithinMinutes: opts.confirmWithinMinutes,
        }),
        ...(opts.reviewWithinDays !== undefined && { reviewWithinDays: opts.reviewWithinDays }),
      },
    });
    if (res.status !== 201) throw new Error(`trial: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; productId: string; companyId: string; status: string };
  }

  return { createProduct, createTrial };
}
