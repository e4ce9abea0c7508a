/** A `[[ratelimits]]` entry of wrangler.toml, as deployed. */
export interface DeployedRateLimit {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

// vitest.config.ts reads them from wrangler.toml (in Node) and provides them to the workerd
// tests (test/rate-limits/wrangler-bindings.test.ts); this file has no imports so both the
// Node and the Workers type checks can load it.
declare module "vitest" {
  export interface ProvidedContext {
    deployedRateLimits: DeployedRateLimit[];
  }
}
