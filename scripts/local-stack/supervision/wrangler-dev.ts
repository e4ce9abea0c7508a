// `wrangler dev` in a process group of its own (see process-group.ts for why).
import { type ServerProcess, type SpawnOptions, spawnProcessGroup } from "./process-group";

export type WranglerDev = ServerProcess;

export function spawnWranglerDev(bin: string, args: string[], opts: SpawnOptions): WranglerDev {
  return spawnProcessGroup(bin, ["dev", ...args], opts);
}
