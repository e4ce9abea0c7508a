// Load from a separate process: autocannon in this process would compete for the event
// loop with the WebSocket proxy and the Redis bridge, which serve the requests under test.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./stack";

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
}

/** The parts of autocannon's JSON result that the report uses (the rest is kept raw). */
export interface LoadResult {
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  [more: string]: unknown;
}

export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const args = [
    ...["--connections", String(opts.connections), "--duration", String(opts.durationSeconds)],
    "--json",
    ...Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ["--headers", `${k}=${v}`]),
    opts.url,
  ];
  return jsonFromChild<LoadResult>("autocannon", join(ROOT, "node_modules/.bin/autocannon"), args);
}

/**
 * Runs a load generator in its own process (so it never competes with this one's event loop)
 * and parses the JSON it prints last on stdout.
 */
export function jsonFromChild<T>(name: string, bin: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as T);
      } catch {
        reject(new Error(`${name} printed no JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}
