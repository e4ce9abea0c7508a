import type { Jwks, Material, PublishedEntry, TrialTerms } from "./material";

/**
 * Fetches what a verification needs from a running Try-it, by the public routes only (no
 * account): the keys, the trial's terms, the signed head, then the whole log page by page.
 * The head is read first, so a trial that is still open cannot move its head past the log
 * read after it; entries appended in between are checked too, as an unsigned tail.
 */
export interface FetchOptions {
  fetch?: typeof fetch;
  /** Entries per page (the API allows 1..1000). */
  pageSize?: number;
}

export async function fetchMaterial(
  base: string,
  trialId: string,
  receipt?: string,
  options: FetchOptions = {},
): Promise<Material> {
  const get = getJson(base.replace(/\/+$/, ""), options.fetch ?? fetch);
  const id = encodeURIComponent(trialId);
  const jwks = await get<Jwks>("/.well-known/jwks.json");
  const trial = await get<TrialTerms>(`/v1/trials/${id}`);
  const { head } = await get<{ head: string }>(`/v1/trials/${id}/log/head`);
  const entries = await readWholeLog(get, id, options.pageSize ?? 1000);
  return { trialId, jwks, trial, entries, head, ...(receipt === undefined ? {} : { receipt }) };
}

type Get = <T>(path: string) => Promise<T>;

async function readWholeLog(get: Get, id: string, limit: number): Promise<PublishedEntry[]> {
  const entries: PublishedEntry[] = [];
  let after = "0";
  for (;;) {
    const page = await get<{ items: PublishedEntry[]; nextCursor: string | null }>(
      `/v1/trials/${id}/log?after=${encodeURIComponent(after)}&limit=${limit}`,
    );
    entries.push(...page.items);
    if (page.nextCursor === null) return entries;
    // A cursor that does not move forward would page forever: the server is wrong.
    if (!(Number(page.nextCursor) > Number(after)))
      throw new FetchError(`the log's nextCursor ${page.nextCursor} does not move past ${after}`);
    after = page.nextCursor;
  }
}

export class FetchError extends Error {}

function getJson(base: string, fetchFn: typeof fetch): Get {
  return async <T>(path: string): Promise<T> => {
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await fetchFn(url, { headers: { accept: "application/json" } });
    } catch (error) {
      throw new FetchError(`GET ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!res.ok)
      throw new FetchError(`GET ${url}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    try {
      return (await res.json()) as T;
    } catch {
      throw new FetchError(`GET ${url}: the answer is not JSON`);
    }
  };
}
