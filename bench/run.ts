// `npm run bench`: every benchmark, one after another (they share the machine, so never at
// once). Each writes its own raw results and its own section of bench/RESULTS.md.
import { runAdmissionBench } from "./admission";
import { runCacheReadsBench } from "./cache-reads";
import { runLiveRoomBench } from "./live-room";
import { runStatsBuildBench } from "./stats-build";

const benches: [string, () => Promise<void>][] = [
  ["admission", runAdmissionBench],
  ["cache-reads", runCacheReadsBench],
  ["stats-build", runStatsBuildBench],
  ["live-room", runLiveRoomBench],
];

for (const [name, run] of benches) {
  console.log(`[bench] ${name}`);
  await run();
}
