import { log } from "../log";
import type { WithdrawResult } from "./types";

/** Every released place is worth a line: compensation should be rare and explainable. */
export function logPlaceReleased(
  trialId: string,
  applicationId: string,
  reason: string,
  result: WithdrawResult,
): void {
  log.warn("gate.place_released", {
    trialId,
    applicationId,
    reason,
    outcome: result.kind,
    promoted: result.kind === "withdrawn" ? (result.promoted?.id ?? null) : null,
  });
}
