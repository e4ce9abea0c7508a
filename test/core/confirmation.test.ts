import { describe, expect, it } from "vitest";
import { decideConfirmation, isOverdue, releaseAt } from "../../core/first-come/confirmation";
import { admit, newGateState } from "../../core/first-come/decide";
import { releaseUnconfirmed, withdraw } from "../../core/first-come/decide-withdrawal";
import { outcomeOfRow } from "../../core/first-come/events";
import type { Application, GateState } from "../../core/first-come/types";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const terms = {
  trialId: "t",
  slots: 1,
  waitlistSize: 2,
  opensAt: T0,
  closesAt: T0 + HOUR,
  confirmWithinMinutes: 30,
};

/** Admits users in order at `now`, returning the state and each application. */
function admitted(users: string[], now = T0 + 1, state: GateState = newGateState(terms)) {
  const apps: Application[] = [];
  for (const userId of users) {
    const d = admit(state, { userId, note: null, now, applicationId: `app-${userId}` });
    if (d.kind !== "admitted") throw new Error(d.code);
    state = d.next;
    apps.push(d.application);
  }
  return { state, apps };
}

describe("the confirmation window", () => {
  it("gives a first winner its deadline from the moment it won, and nobody else one", () => {
    const { apps } = admitted(["a", "b"], T0 + 5);
    expect(apps.map((a) => [a.status, a.confirmBy])).toEqual([
      ["WON", T0 + 5 + 30 * MINUTE],
      ["WAITLISTED", undefined],
    ]);
  });

  it("gives no deadline without a window", () => {
    const { apps } = admitted(
      ["a"],
      T0 + 5,
      newGateState({ ...terms, confirmWithinMinutes: null }),
    );
    expect(apps[0]?.confirmBy ?? null).toBeNull();
  });

  it("accepts a confirmation at the deadline itself and refuses one a millisecond after", () => {
    const { state, apps } = admitted(["a"]);
    const won = apps[0] as Application;
    const deadline = won.confirmBy as number;
    const atDeadline = decideConfirmation(state, won, deadline);
    expect(atDeadline).toMatchObject({ kind: "confirmed" });
    expect(decideConfirmation(state, won, deadline + 1)).toEqual({
      kind: "refused",
      code: "CONFIRMATION_CLOSED",
    });
  });

  it("refuses a second confirmation, a waiting member, a lost place and a cancelled trial", () => {
    const { state, apps } = admitted(["a", "b"]);
    const [won, waiting] = apps as [Application, Application];
    const confirmed = decideConfirmation(state, won, T0 + 2);
    if (confirmed.kind !== "confirmed") throw new Error("not confirmed");
    expect(decideConfirmation(state, confirmed.application, T0 + 3)).toMatchObject({
      code: "ALREADY_CONFIRMED",
    });
    expect(decideConfirmation(state, waiting, T0 + 3)).toMatchObject({ code: "NOT_A_WINNER" });
    const gone = withdraw(state, won, waiting, T0 + 3);
    if (gone.kind !== "withdrawn") throw new Error("not withdrawn");
    expect(decideConfirmation(gone.next, gone.cancelled, T0 + 4)).toMatchObject({
      code: "CONFIRMATION_CLOSED",
    });
    expect(gone.cancelled.cancelledReason).toBe("WITHDRAWN");
    expect(decideConfirmation({ ...state, cancelledAt: T0 + 2 }, won, T0 + 3)).toMatchObject({
      code: "CONFIRMATION_CLOSED",
    });
    expect(decideConfirmation(state, null, T0 + 3)).toMatchObject({
      code: "APPLICATION_NOT_FOUND",
    });
  });

  it("keeps a confirmed first winner a first decision when a row is read back", () => {
    const { state, apps } = admitted(["a"]);
    const confirmed = decideConfirmation(state, apps[0] as Application, T0 + 2);
    if (confirmed.kind !== "confirmed") throw new Error("not confirmed");
    expect(confirmed.application).toMatchObject({ confirmedAt: T0 + 2, confirmBy: null });
    expect(outcomeOfRow(confirmed.application)).toBe("WON");
  });
});

describe("the release at the deadline", () => {
  it("releases an unconfirmed winner past the deadline and gives the head of the waitlist a full window of its own", () => {
    const { state, apps } = admitted(["a", "b", "c"]);
    const [won, head] = apps as [Application, Application];
    const deadline = won.confirmBy as number;
    expect(isOverdue(won, deadline)).toBe(false);
    expect(isOverdue(won, deadline + 1)).toBe(true);
    expect(releaseAt(deadline)).toBe(deadline + 1);
    expect(releaseUnconfirmed(state, won, head, deadline)).toEqual({ kind: "unchanged" });

    // After the trial's end too: the deadline belongs to the place.
    const late = T0 + 2 * HOUR;
    const d = releaseUnconfirmed(state, won, head, late);
    if (d.kind !== "withdrawn") throw new Error("not released");
    expect(d.cancelled).toMatchObject({
      status: "CANCELLED",
      cancelledReason: "NOT_CONFIRMED",
      confirmBy: null,
    });
    expect(d.promoted).toMatchObject({
      userId: "b",
      status: "WON",
      confirmBy: late + 30 * MINUTE,
    });
    expect(outcomeOfRow(d.promoted as Application)).toBe("PROMOTED");
    expect(d.next).toMatchObject({ won: 1, waitlisted: 1, cancelled: 1, promoted: 1 });
  });

  it("leaves a confirmed winner and a cancelled trial alone", () => {
    const { state, apps } = admitted(["a", "b"]);
    const [won, head] = apps as [Application, Application];
    const late = (won.confirmBy as number) + 1;
    const confirmed = { ...won, confirmedAt: T0 + 2, confirmBy: null };
    expect(releaseUnconfirmed(state, confirmed, head, late)).toEqual({ kind: "unchanged" });
    expect(releaseUnconfirmed({ ...state, cancelledAt: T0 + 2 }, won, head, late)).toEqual({
      kind: "unchanged",
    });
  });
});
