import type * as v from "valibot";
import type * as R from "../openapi/responses";

/** The API's answers as the pages read them: the OpenAPI document's own schemas, inferred. */
export type Trial = v.InferOutput<typeof R.Trial>;
export type Product = v.InferOutput<typeof R.Product>;
export type OwnUser = v.InferOutput<typeof R.OwnUser>;
export type Application = v.InferOutput<typeof R.Application>;
export type Review = v.InferOutput<typeof R.Review>;
export type TrialStats = v.InferOutput<typeof R.TrialStats>;
export type ErrorBody = v.InferOutput<typeof R.ErrorBody>;
export type Page<T> = { items: T[]; nextCursor: string | null };
