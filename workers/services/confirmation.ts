import type { Application, ConfirmResult } from "../../core/first-come/types";
import type { Deps } from "../context";
import { AppError } from "../errors";
import { type ShippingAddress, sealShippingAddress } from "../personal-data/sealing";

const MESSAGES: Record<Extract<ConfirmResult, { kind: "refused" }>["code"], string> = {
  TRIAL_NOT_FOUND: "No such trial.",
  APPLICATION_NOT_FOUND: "You have not applied to this trial.",
  NOT_A_WINNER: "Only a winner confirms: this application does not hold a place.",
  CONFIRMATION_CLOSED:
    "This place can no longer be confirmed: its deadline passed, or it was given up or released.",
  ALREADY_CONFIRMED: "This place is already confirmed.",
};

/**
 * POST /v1/trials/:id/applications/me/confirm. The address is sealed here, bound to the
 * member's application (its id is the cipher's additional data), before it reaches the gate;
 * the gate alone decides whether the confirmation is in time and stores it together with the
 * event that carries the sealed address to Postgres. Plain text never leaves this function.
 */
export async function confirmMyPlace(
  deps: Pick<Deps, "config" | "gates">,
  trialId: string,
  userId: string,
  address: ShippingAddress,
): Promise<Application> {
  const gate = deps.gates.get(trialId);
  const mine = await gate.findApplication(userId);
  if (!mine) {
    const exists = await gate.snapshot();
    throw refusal(exists ? "APPLICATION_NOT_FOUND" : "TRIAL_NOT_FOUND");
  }
  const sealed = await sealShippingAddress(deps.config.personalData, mine.id, address);
  const result = await gate.confirm(userId, sealed);
  if (result.kind === "refused") throw refusal(result.code);
  return result.application;
}

function refusal(code: keyof typeof MESSAGES): AppError {
  return new AppError(code, MESSAGES[code]);
}
