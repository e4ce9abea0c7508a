// `npm run seed:rush`: the flood, on demo data from `npm run seed`. Every demo member logs
// in, waits for the hot trial's opening second and applies at the same instant; then the
// outcome: how many WON, WAITLISTED and refused (409), and the trial as the API sees it.
// Meanwhile the trial's live room is watched and printed as it speaks (rush-room.ts).
import { existsSync, readFileSync } from "node:fs";
import { DemoClient } from "./client";
import { SEED_FILE, type SeedFile } from "./file";
import { openRushRoom } from "./rush-room";

async function main(): Promise<void> {
  if (!existsSync(SEED_FILE)) throw new Error("no demo data: run `npm run seed` first");
  const seed = JSON.parse(readFileSync(SEED_FILE, "utf8")) as SeedFile;
  const api = new DemoClient(seed.base);
  console.log(`[rush] ${seed.members.length} members log in…`);
  const tokens: string[] = [];
  for (let i = 0; i < seed.members.length; i += 8) {
    const batch = seed.members.slice(i, i + 8);
    tokens.push(...(await Promise.all(batch.map((m) => api.login(m, seed.password)))));
  }
  const room = await openRushRoom(
    api,
    seed.hotTrialId,
    seed.members.map((email, i) => ({ email, token: tokens[i] as string })),
  );
  const opensAt = Date.parse(seed.hotOpensAt);
  const wait = opensAt - Date.now();
  if (wait > 0) {
    console.log(`[rush] the hot trial opens in ${Math.ceil(wait / 1000)} s; everyone is ready…`);
    await new Promise((r) => setTimeout(r, wait + 50));
  }
  const started = Date.now();
  const answers = await Promise.all(tokens.map((token) => applyWithRetries(api, seed, token)));
  const ms = Date.now() - started;
  const count = (pick: (a: (typeof answers)[number]) => boolean) => answers.filter(pick).length;
  const trial = await api.expect<Record<string, unknown>>(
    200,
    "GET",
    `/v1/trials/${seed.hotTrialId}`,
  );
  console.log(`
${answers.length} applications in ${ms} ms:
  WON         ${count((a) => a.status === 201 && a.body.status === "WON")}
  WAITLISTED  ${count((a) => a.status === 201 && a.body.status === "WAITLISTED")}
  refused     ${count((a) => a.status === 409)} (${[...new Set(answers.filter((a) => a.status === 409).map((a) => a.body.error?.code))].join(", ") || "none"})
  other       ${count((a) => a.status !== 201 && a.status !== 409)}
The trial now: status ${trial.status}${trial.closedReason ? ` (${trial.closedReason})` : ""}, won ${trial.won}, waitlisted ${trial.waitlisted}, remaining ${trial.remaining}, applicants ${trial.applicants}
Winners and the waitlist get a Slack message each (SKIPPED without Slack settings): GET /v1/me/notifications`);
  await room.finish(answers, trial);
}

type Answer = { status?: string; seq?: number; error?: { code: string } };

/**
 * What a careful client does in a rush: one Idempotency-Key per member, and a retry when the
 * answer is lost (network error) or a proxy says 503, so a retry can never take a second
 * place or lose the first answer.
 */
async function applyWithRetries(api: DemoClient, seed: SeedFile, token: string) {
  const headers = { "idempotency-key": crypto.randomUUID() };
  for (let attempt = 1; ; attempt++) {
    const res = await api
      .call<Answer>("POST", `/v1/trials/${seed.hotTrialId}/applications`, {
        token,
        json: {},
        headers,
      })
      .catch(() => null);
    if (res && res.status !== 503) return res;
    if (attempt === 3) return res ?? { status: 0, body: {} as Answer };
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

main().catch((err: unknown) => {
  console.error(`[rush] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
