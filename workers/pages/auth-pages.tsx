import { Hono } from "hono";
import { type PageRequest, type PagesEnv, pageContext } from "./context";
import { Field } from "./form-fields";
import { FormError, type FormProblem, fieldText, problemOf } from "./forms";
import { Layout } from "./layout";
import { forgetTokens, refreshTokenOf, saveTokens, type TokenPair } from "./session/cookies";

/** Sign-up, log-in and log-out pages: the API's auth routes, with the tokens kept in cookies. */

/** Where to go after logging in: a path on this site only (never an open redirect). */
function nextPath(raw: string | undefined): string {
  return raw && /^\/(?![/\\])/.test(raw) ? raw : "/";
}

function LoginPage(props: { c: PageRequest; problem: FormProblem | null; email?: string }) {
  const ctx = pageContext(props.c);
  const t = ctx.t.common;
  const next = nextPath(props.c.req.query("next"));
  return (
    <Layout ctx={ctx} title={t.loginTitle}>
      <h1>{t.loginTitle}</h1>
      <form method="post" action={`/login?next=${encodeURIComponent(next)}`} class="stack">
        <FormError problem={props.problem} />
        <Field
          name="email"
          type="email"
          label={t.email}
          value={props.email}
          required
          autocomplete="email"
          problem={props.problem}
        />
        <Field
          name="password"
          type="password"
          label={t.password}
          required
          autocomplete="current-password"
          problem={props.problem}
        />
        <button type="submit">{t.loginSubmit}</button>
      </form>
      <p>
        {t.noAccount} <a href="/signup">{t.navSignup}</a>
      </p>
    </Layout>
  );
}

function SignupPage(props: { c: PageRequest; problem: FormProblem | null; form?: FormData }) {
  const ctx = pageContext(props.c);
  const t = ctx.t.common;
  const value = (name: string) => (props.form ? fieldText(props.form, name) : undefined);
  const role = value("role") || "MEMBER";
  return (
    <Layout ctx={ctx} title={t.signupTitle}>
      <h1>{t.signupTitle}</h1>
      <form method="post" action="/signup" class="stack">
        <FormError problem={props.problem} />
        <Field
          name="name"
          label={t.name}
          value={value("name")}
          required
          autocomplete="name"
          problem={props.problem}
        />
        <Field
          name="email"
          type="email"
          label={t.email}
          value={value("email")}
          required
          autocomplete="email"
          problem={props.problem}
        />
        <Field
          name="password"
          type="password"
          label={t.password}
          hint={t.passwordHint}
          required
          autocomplete="new-password"
          problem={props.problem}
        />
        <fieldset>
          <legend>{t.role}</legend>
          <label class="choice">
            <input type="radio" name="role" value="MEMBER" checked={role === "MEMBER"} />{" "}
            {t.roleMember}
          </label>
          <label class="choice">
            <input type="radio" name="role" value="COMPANY" checked={role === "COMPANY"} />{" "}
            {t.roleCompany}
          </label>
        </fieldset>
        <button type="submit">{t.signupSubmit}</button>
      </form>
      <p>
        {t.haveAccount} <a href="/login">{t.navLogin}</a>
      </p>
    </Layout>
  );
}

/** Logs in through the API and keeps the pair; the API's refusal otherwise. */
async function logIn(c: PageRequest, email: string, password: string): Promise<FormProblem | null> {
  const res = await c.var.api.json<TokenPair>("POST", "/auth/login", { email, password });
  if (res.status !== 200) return problemOf(res, c.var.texts);
  saveTokens(c, res.body);
  return null;
}

/** A refused form is shown again with the API's status (400, 401, 409, 429…). */
const statusOf = (p: FormProblem) => (p.status >= 400 && p.status < 500 ? p.status : 503) as 400;

const homeOf = (role: string) => (role === "COMPANY" ? "/company" : "/");

export const authPages = new Hono<PagesEnv>()
  .get("/login", (c) => c.html(<LoginPage c={c} problem={null} />))
  .post("/login", async (c) => {
    const form = await c.req.formData();
    const email = fieldText(form, "email");
    const problem = await logIn(c, email, fieldText(form, "password"));
    if (problem)
      return c.html(<LoginPage c={c} problem={problem} email={email} />, statusOf(problem));
    return c.redirect(nextPath(c.req.query("next")), 303);
  })
  .get("/signup", (c) => c.html(<SignupPage c={c} problem={null} />))
  .post("/signup", async (c) => {
    const form = await c.req.formData();
    const body = {
      name: fieldText(form, "name"),
      email: fieldText(form, "email"),
      password: fieldText(form, "password"),
      role: fieldText(form, "role") === "COMPANY" ? "COMPANY" : "MEMBER",
    };
    const created = await c.var.api.json<{ role: string }>("POST", "/auth/signup", body);
    if (created.status !== 201) {
      const problem = problemOf(created, c.var.texts);
      return c.html(<SignupPage c={c} problem={problem} form={form} />, statusOf(problem));
    }
    const problem = await logIn(c, body.email, body.password);
    if (problem) {
      return c.html(<LoginPage c={c} problem={problem} email={body.email} />, statusOf(problem));
    }
    return c.redirect(homeOf(created.body.role), 303);
  })
  .post("/logout", async (c) => {
    const refreshToken = refreshTokenOf(c);
    // The API ends the token family; the cookies go whatever it answers.
    if (refreshToken) await c.var.api.json("POST", "/auth/logout", { refreshToken });
    forgetTokens(c);
    return c.redirect("/", 303);
  });
