export * from "./decide";
export * from "./decide-batch";
export type * from "./types";
