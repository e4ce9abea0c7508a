import type { Ceiling, OurResult, PeerResult, Runtime } from "./admission-types";
import type { DrainCapacity } from "./consumer-drain";
import type { MachineInfo } from "./machine";
import type { NewcomerResult } from "./newcomer";

/** One admission run's raw results, as bench/results/admission-<date>.json holds them. */
export interface AdmissionRaw {
  bench: "admission";
  date: string;
  command: string;
  settings: {
    slots: number;
    connections: number;
    farConnections: number;
    distancesMs: number[];
    repeats: number;
    postFillSeconds: number;
    timeboxSeconds: number;
    timeboxPlaces: number;
    sections: string[];
    runtimes: string[];
    serverVars?: Record<string, string>;
  };
  durationSeconds: number;
  machine: MachineInfo;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  ceilings: Partial<Record<Runtime, Ceiling>>;
  ours: OurResult[];
  peers: PeerResult[];
  newcomer: NewcomerResult[];
  consumer: DrainCapacity[];
}
