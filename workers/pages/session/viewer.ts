import type { PageRequest } from "../context";
import type { Viewer } from "../layout";
import type { OwnUser } from "../wire";
import { accessTokenOf, forgetTokens, refreshTokenOf } from "./cookies";

/** The signed-in user behind the session cookies, asked of the API; null without a session. */
export async function viewerOf(c: PageRequest): Promise<Viewer> {
  if (!accessTokenOf(c) && !refreshTokenOf(c)) return null;
  const me = await c.var.api.json<OwnUser>("GET", "/users/me");
  if (me.status === 200) return { id: me.body.id, name: me.body.name, role: me.body.role };
  // A session the API no longer accepts (logged out elsewhere, account deleted) is ended.
  if (me.status === 401) forgetTokens(c);
  return null;
}
