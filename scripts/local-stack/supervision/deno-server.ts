import { resolve } from "node:path";

/**
 * How to run the Deno entry: the npm-installed deno binary, permissions limited to what the
 * server uses (network, env, reading the repo, writing its own data folder), and the
 * unstable APIs deno.json enables (KV, cron).
 */
export function denoServerArgs(root: string, dataDir: string, entry = "deno/main.ts") {
  return {
    bin: resolve(root, "node_modules/.bin/deno"),
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-sys",
      `--allow-read=${root},${dataDir}`,
      `--allow-write=${dataDir}`,
      resolve(root, entry),
    ],
  };
}
