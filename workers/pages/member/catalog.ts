import type { PageApi } from "../session/api";
import type { Page, Product, Trial } from "../wire";

/** Trials with their products, as the member pages show them. */
export type TrialWithProduct = { trial: Trial; product: Product | null };

export async function trialsWithProducts(api: PageApi, query: string): Promise<TrialWithProduct[]> {
  const res = await api.json<Page<Trial>>("GET", `/trials?${query}`);
  if (res.status !== 200) return [];
  return withProducts(api, res.body.items);
}

async function withProducts(api: PageApi, trials: Trial[]): Promise<TrialWithProduct[]> {
  const ids = [...new Set(trials.map((t) => t.productId))];
  const products = new Map<string, Product>();
  await Promise.all(
    ids.map(async (id) => {
      const res = await api.json<Product>("GET", `/products/${id}`);
      if (res.status === 200) products.set(id, res.body);
    }),
  );
  return trials.map((trial) => ({ trial, product: products.get(trial.productId) ?? null }));
}
