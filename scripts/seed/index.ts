// `npm run seed`: demo data on the running stack (start it first: `npm start`).
//   two companies, products with images, a "hot" trial that opens in one minute with few
//   places, an open trial, 30 members; everything saved to .data/seed.json and a short
//   guide printed: credentials, curl lines, and `npm run seed:rush`, which makes every
//   member apply the second the hot trial opens and prints the outcome.
// Env: TRYIT_URL (http://127.0.0.1:8787), SEED_MEMBERS (30), SEED_OPENS_IN_SECONDS (60).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DemoClient } from "./client";
import { DEMO_PASSWORD, SEED_FILE, type SeedFile } from "./file";
import { gradientPng } from "./png";

const BASE = process.env.TRYIT_URL ?? "http://127.0.0.1:8787";
const MEMBERS = Number(process.env.SEED_MEMBERS ?? 30);
const OPENS_IN_SECONDS = Number(process.env.SEED_OPENS_IN_SECONDS ?? 60);
const HOT_PLACES = 5;
const HOT_WAITLIST = 5;

async function main(): Promise<void> {
  const api = new DemoClient(BASE);
  const health = await api.call<{ ok: boolean }>("GET", "/healthz").catch(() => null);
  if (health?.status !== 200) {
    throw new Error(
      `no Try-it answering at ${BASE} (start it with \`npm start\`, or set TRYIT_URL)`,
    );
  }
  const run = Math.random().toString(36).slice(2, 7);
  const email = (who: string) => `${who}.${run}@demo.tryit.test`;

  const signUp = async (who: string, name: string, role: "COMPANY" | "MEMBER") => {
    const res = await api.call("POST", "/v1/auth/signup", {
      json: { email: email(who), password: DEMO_PASSWORD, name, role },
    });
    if (res.status === 429) {
      throw new Error(
        "sign-ups are still rate limited after waiting: try again in a minute (on Deno, RATE_LIMIT_SIGNUP_PER_IP raises the limit)",
      );
    }
    if (res.status !== 201)
      throw new Error(`sign-up ${who}: ${res.status} ${JSON.stringify(res.body)}`);
    return email(who);
  };

  console.log(`[seed] ${BASE}: 2 companies, ${MEMBERS} members…`);
  const companies = [
    await signUp("acme", "Acme Kitchens", "COMPANY"),
    await signUp("brightside", "Brightside Audio", "COMPANY"),
  ];
  const members: string[] = [];
  for (let i = 1; i <= MEMBERS; i++)
    members.push(await signUp(`member${i}`, `Member ${i}`, "MEMBER"));

  const catalog = [
    { company: 0, name: "Quiet Kettle", category: "kitchen", hue: 20 },
    { company: 0, name: "Smart Toaster", category: "kitchen", hue: 90 },
    { company: 1, name: "Open Headphones", category: "audio", hue: 160 },
  ];
  const tokens = await Promise.all(companies.map((c) => api.login(c, DEMO_PASSWORD)));
  const productIds: string[] = [];
  for (const item of catalog) {
    const token = tokens[item.company] ?? "";
    const image = await api.expect<{ id: string }>(201, "POST", "/v1/images", {
      token,
      bytes: gradientPng(64, 48, item.hue),
      type: "image/png",
    });
    const product = await api.expect<{ id: string }>(201, "POST", "/v1/products", {
      token,
      json: {
        name: item.name,
        description: `${item.name}: a demo product.`,
        category: item.category,
        imageIds: [image.id],
      },
    });
    productIds.push(product.id);
  }

  const now = Date.now();
  const hotOpensAt = new Date(Math.ceil((now + OPENS_IN_SECONDS * 1000) / 1000) * 1000);
  const hot = await api.expect<{ id: string }>(201, "POST", "/v1/trials", {
    token: tokens[0],
    json: {
      productId: productIds[0],
      title: "Quiet Kettle: first 5 homes",
      description: "Five kettles for five kitchens; five more places on the waitlist.",
      slots: HOT_PLACES,
      waitlistSize: HOT_WAITLIST,
      opensAt: hotOpensAt.toISOString(),
      closesAt: new Date(now + 24 * 3_600_000).toISOString(),
    },
  });
  const open = await api.expect<{ id: string }>(201, "POST", "/v1/trials", {
    token: tokens[1],
    json: {
      productId: productIds[2],
      title: "Open Headphones: 100 testers",
      description: "Open now.",
      slots: 100,
      waitlistSize: 0,
      opensAt: new Date(now - 1000).toISOString(),
      closesAt: new Date(now + 7 * 24 * 3_600_000).toISOString(),
    },
  });

  const seed: SeedFile = {
    base: BASE,
    password: DEMO_PASSWORD,
    companies,
    members,
    hotTrialId: hot.id,
    hotOpensAt: hotOpensAt.toISOString(),
    openTrialId: open.id,
  };
  mkdirSync(dirname(SEED_FILE), { recursive: true });
  writeFileSync(SEED_FILE, `${JSON.stringify(seed, null, 2)}\n`);

  console.log(`
Demo data ready (saved in ${SEED_FILE}). Every password: ${DEMO_PASSWORD}
  companies: ${companies.join(", ")}
  members:   ${members[0]} … ${members[members.length - 1]} (${members.length})
  hot trial: ${hot.id}: ${HOT_PLACES} places + ${HOT_WAITLIST} waitlist, opens at ${hotOpensAt.toISOString()} (in ${OPENS_IN_SECONDS} s)
  open trial: ${open.id}: 100 places, open now

Try it:
  TOKEN=$(curl -s -X POST ${BASE}/v1/auth/login -H 'content-type: application/json' \\
    -d '{"email":"${members[0]}","password":"${DEMO_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
  curl -s ${BASE}/v1/trials/${open.id}
  curl -s -X POST ${BASE}/v1/trials/${open.id}/applications -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{}'
  curl -s ${BASE}/v1/me/applications -H "authorization: Bearer $TOKEN"

The rush (every member applies the second the hot trial opens, then the outcome):
  npm run seed:rush
`);
}

main().catch((err: unknown) => {
  console.error(`[seed] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
