import { inject } from "vitest";
import { type PersonalDataKeys, parsePersonalDataKeys } from "../../workers/personal-data/keys";
import { type ShippingAddress, sealShippingAddress } from "../../workers/personal-data/sealing";
import { createProduct, sql, type TestUser } from "../support/contract/fixtures";

/**
 * Confirmed winners straight into the target's Postgres, as the decisions consumer leaves
 * them, with the address sealed here in Node under the key the server was started with: the
 * server opening it shows Node's, Workers' and Deno's WebCrypto agree.
 */

const keys: PersonalDataKeys = (() => {
  const vars = inject("targetVars");
  const parsed = parsePersonalDataKeys(vars.PERSONAL_DATA_KEYS, vars.PERSONAL_DATA_KEY_ID);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.keys;
})();

/**
 * A catalog trial of `company` that closed `closedDaysAgo` days ago, aged past every job
 * that reads the gates: the routes and jobs under test read Postgres only.
 */
export async function closedTrial(company: TestUser, closedDaysAgo = 2): Promise<string> {
  const productId = await createProduct(company);
  const id = crypto.randomUUID();
  await sql(
    `INSERT INTO trials (id, product_id, company_id, title, description, slots, waitlist_size,
                         opens_at, closes_at, status, closed_reason, created_at, updated_at)
     VALUES ($1, $2, $3, 'Closed trial', '', 5, 0, now() - make_interval(days => $4 + 2),
             now() - make_interval(days => $4), 'CLOSED', 'ENDED',
             now() - make_interval(days => $4 + 3), now() - make_interval(days => $4))`,
    [id, productId, company.id, closedDaysAgo],
  );
  return id;
}

/** A confirmed winner: the application WON with confirmed_at, the address sealed. */
export async function confirmedWinner(trialId: string, member: TestUser, seq: number) {
  const applicationId = crypto.randomUUID();
  const marker = crypto.randomUUID().slice(0, 8);
  const address: ShippingAddress = {
    recipient: `Taro ${marker}`,
    phone: `+81 3-${String(seq).padStart(4, "0")}-5678`,
    address: `${marker} Ginza 4-5-6\nChuo-ku, Tokyo`,
  };
  const sealed = await sealShippingAddress(keys, applicationId, address);
  await sql(
    `INSERT INTO applications (id, trial_id, user_id, seq, status, applied_at, decided_at,
                               version, confirmed_at, persisted_at)
     VALUES ($1, $2, $3, $4, 'WON', now() - interval '3 days', now() - interval '3 days', 1,
             now() - interval '2 days', now() - interval '3 days')`,
    [applicationId, trialId, member.id, seq],
  );
  await sql(
    `INSERT INTO shipping_addresses (application_id, user_id, trial_id, key_id, sealed)
     VALUES ($1, $2, $3, $4, $5)`,
    [applicationId, member.id, trialId, sealed.keyId, sealed.sealed],
  );
  return { applicationId, member, seq, address };
}

/** The application ids among `ids` that still have an address on file. */
export async function withAddress(ids: string[]): Promise<string[]> {
  const rows = await sql<{ application_id: string }>(
    "SELECT application_id FROM shipping_addresses WHERE application_id = ANY($1::uuid[])",
    [ids],
  );
  return rows.map((r) => r.application_id).sort();
}
