// The few API calls a benchmark makes to set itself up, through the API like any client.

/** A POST with a bearer token that must answer 201; returns the created resource's id. */
export function poster(base: string, token: string) {
  return async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
}

/** A trial open now, `slots` places, no waitlist; created through the API (its gate too). */
export async function createTrial(base: string, token: string, slots: number): Promise<string> {
  const post = poster(base, token);
  const product = await post("/v1/products", { name: "Bench product", description: "bench" });
  const trial = await post("/v1/trials", {
    productId: product.id,
    title: "Bench trial",
    description: "bench",
    slots,
    waitlistSize: 0,
    opensAt: new Date(Date.now() - 1000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return trial.id;
}
