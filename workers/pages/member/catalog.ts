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
      const product = await productOf(api, id);
      if (product) products.set(id, product);
    }),
  );
  return trials.map((trial) => ({ trial, product: products.get(trial.productId) ?? null }));
}

/** A product as the API shows it to this viewer; null when it cannot be read. */
export async function productOf(api: PageApi, id: string): Promise<Product | null> {
  const res = await api.json<Product>("GET", `/products/${encodeURIComponent(id)}`);
  return res.status === 200 ? res.body : null;
}
