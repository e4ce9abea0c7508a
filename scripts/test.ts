/**
 * `npm test`: the Workers suite (vitest, in workerd) and then the Deno suite (the gate on
 * Deno KV, run by the npm-installed deno). Extra arguments go to vitest, so
 * `npm test -- --reporter=json --outputFile=…` (as .ci/run does) still reaches it. Both
 * suites always run; the exit status fails if either did.
 */
import { spawnSync } from "node:child_process";

function run(command: string, args: string[]): number {
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.error) {
    console.error(`could not run ${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

const vitest = run("vitest", ["run", ...process.argv.slice(2)]);
const deno = run("npm", ["run", "--silent", "test:deno"]);
process.exit(vitest !== 0 ? vitest : deno);
