import type { PageRequest } from "../context";
import { fieldText, problemOf } from "../forms";
import { renderTrialPage } from "./trial-page";

/**
 * The trial page's forms (post/redirect/get): each asks the API as the signed-in member, then
 * goes back to the trial page (303), where the result is read fresh; a refusal is shown on
 * the trial page itself, the API's message beside the form that was refused.
 */

const trialPath = (c: PageRequest) => `/trials/${encodeURIComponent(c.req.param("id") ?? "")}`;

/** Nobody signed in (or a session that just ended): log in, then come back to the trial. */
function toLogin(c: PageRequest) {
  return c.redirect(`/login?next=${encodeURIComponent(trialPath(c))}`, 303);
}

/** POST /trials/:id/apply → POST /v1/trials/:id/applications `{}`. */
export async function applyAction(c: PageRequest) {
  if (!c.var.viewer) return toLogin(c);
  // One application per member and trial: a repeated submit answers the same one (200).
  const res = await c.var.api.json("POST", `${trialPath(c)}/applications`, {});
  if (res.status === 200 || res.status === 201) return c.redirect(trialPath(c), 303);
  if (res.status === 401) return toLogin(c);
  return renderTrialPage(c, { form: "apply", problem: problemOf(res, c.var.texts) });
}

/** POST /trials/:id/confirm → POST /v1/trials/:id/applications/me/confirm. */
export async function confirmAction(c: PageRequest) {
  if (!c.var.viewer) return toLogin(c);
  const form = await c.req.formData();
  const body = {
    recipient: fieldText(form, "recipient"),
    phone: fieldText(form, "phone"),
    address: fieldText(form, "address"),
  };
  const res = await c.var.api.json("POST", `${trialPath(c)}/applications/me/confirm`, body);
  if (res.status === 200) return c.redirect(trialPath(c), 303);
  if (res.status === 401) return toLogin(c);
  return renderTrialPage(c, {
    form: "confirm",
    problem: problemOf(res, c.var.texts),
    values: form,
  });
}

/** POST /trials/:id/review → POST /v1/trials/:id/reviews. */
export async function reviewAction(c: PageRequest) {
  if (!c.var.viewer) return toLogin(c);
  const form = await c.req.formData();
  const rating = fieldText(form, "rating");
  const body = {
    // A missing choice goes to the API as it is, so its own message says what is wrong.
    rating: /^\d+$/.test(rating) ? Number(rating) : rating,
    title: fieldText(form, "title"),
    body: fieldText(form, "body"),
  };
  const res = await c.var.api.json("POST", `${trialPath(c)}/reviews`, body);
  if (res.status === 201) return c.redirect(trialPath(c), 303);
  if (res.status === 401) return toLogin(c);
  return renderTrialPage(c, { form: "review", problem: problemOf(res, c.var.texts), values: form });
}
