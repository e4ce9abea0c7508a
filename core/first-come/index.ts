export * from "./decide";
export type * from "./types";
