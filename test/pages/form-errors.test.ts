import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../core/vocabulary/error-codes";
import { textsFor } from "../../workers/pages/i18n";
import { createUser, FIXTURE_PASSWORD } from "../support/workerd/fixtures";

/**
 * A refused form says why in the page's language: English shows the API's own message,
 * Korean its sentence for the API's error code (workers/pages/i18n/errors.ts).
 */

const ORIGIN = "http://tryit.test";

function logIn(email: string, password: string, language: string) {
  return exports.default.fetch(
    new Request(`${ORIGIN}/login`, {
      method: "POST",
      redirect: "manual",
      headers: {
        origin: ORIGIN,
        "accept-language": language,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ email, password }),
    }),
  );
}

/** The text of the form's alert. */
async function alertOf(res: Response): Promise<string> {
  const html = await res.text();
  return html.match(/<div class="form-error" role="alert"><p>([^<]*)<\/p>/)?.[1] ?? "";
}

describe("a refused form in the page's language", () => {
  it("a wrong password: the API's message in English, the code's sentence in Korean", async () => {
    const member = await createUser("MEMBER");
    const api = await exports.default.fetch(
      new Request(`${ORIGIN}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: member.email, password: `${FIXTURE_PASSWORD}!` }),
      }),
    );
    const refusal = (await api.json()) as { error: { code: string; message: string } };
    expect([api.status, refusal.error.code]).toEqual([401, "INVALID_CREDENTIALS"]);

    const english = await logIn(member.email, `${FIXTURE_PASSWORD}!`, "en");
    expect(english.status).toBe(401);
    expect(await alertOf(english)).toBe(refusal.error.message);

    const korean = await logIn(member.email, `${FIXTURE_PASSWORD}!`, "ko");
    expect(korean.status).toBe(401);
    expect(await alertOf(korean)).toBe("이메일 또는 비밀번호가 올바르지 않습니다.");

    // The right password still gets in, whatever the language.
    const signedIn = await logIn(member.email, FIXTURE_PASSWORD, "ko");
    expect(signedIn.status).toBe(303);
  });

  it("Korean has a sentence for every error code the API can answer", () => {
    const ko = textsFor("ko").errors;
    const missing = ERROR_CODES.filter((code) => !ko[code]);
    expect(missing).toEqual([]);
    expect(textsFor("en").errors).toEqual({});
  });
});
