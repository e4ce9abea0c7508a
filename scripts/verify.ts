import { parseArgs } from "node:util";
import { FetchError, fetchMaterial } from "../clients/verifier/fetch-material";
import { formatVerdict } from "../clients/verifier/report";
import { verifyTrial } from "../clients/verifier/verify";

/**
 * npm run verify -- --base URL --trial ID [--receipt JWS] [--known-head JWS]...
 *                   [--seed-commitment HEX]
 *
 * Checks a trial's public fill log, its signed head, (with --receipt) one's own receipt and
 * (with --known-head, repeatable) that heads seen before are still in the log, against the
 * keys the server publishes (clients/verifier/); for a shuffle or a draw also the revealed
 * seed against its commitment (with --seed-commitment, the one kept before the draw) and
 * every rank. It prints the head (and, before a draw, the commitment) to keep for next
 * time. Exit 0: every check passed;
 * 1: a check failed (the first is named last); 2: the material could not be fetched or the
 * arguments are wrong.
 */
const USAGE =
  "usage: npm run verify -- --base URL --trial ID [--receipt JWS] [--known-head JWS]... [--seed-commitment HEX]";

async function main(): Promise<number> {
  let values: {
    base?: string;
    trial?: string;
    receipt?: string;
    "known-head"?: string[];
    "seed-commitment"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        base: { type: "string" },
        trial: { type: "string" },
        receipt: { type: "string" },
        "known-head": { type: "string", multiple: true },
        "seed-commitment": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.base || !values.trial) {
    console.error(USAGE);
    return 2;
  }
  try {
    const material = await fetchMaterial(values.base, values.trial, values.receipt?.trim());
    const knownHeads = (values["known-head"] ?? []).map((h) => h.trim());
    const kept = values["seed-commitment"]?.trim();
    const verdict = await verifyTrial({
      ...material,
      knownHeads,
      ...(kept === undefined ? {} : { keptCommitment: kept }),
    });
    console.log(formatVerdict(verdict, material.head));
    return verdict.passed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    console.error(`could not fetch what to verify: ${error.message}`);
    return 2;
  }
}

process.exitCode = await main();
