import { env } from "cloudflare:workers";

/** The TrialGate Durable Object of a trial, as the app itself addresses it (by trial id). */
export const gateOf = (trialId: string) => env.TRIAL_GATE.get(env.TRIAL_GATE.idFromName(trialId));
