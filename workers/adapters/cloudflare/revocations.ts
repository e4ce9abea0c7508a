import type { RevocationStore } from "../../../core/ports/revocations";
import { keepMsFor, RevocationView } from "../../auth/revocations";

/**
 * The name of the ONE RevocationList object every isolate reads. The name is the caller's
 * choice (`idFromName`), so it lives with the caller, not with the object.
 */
export const REVOCATION_LIST_NAME = "revocations";

/** One view per isolate and binding: the env (and its bindings) outlive every request. */
const views = new WeakMap<object, RevocationView>();

/** This isolate's view of the revocation list kept by the singleton RevocationList object. */
export function durableObjectRevocations(
  namespace: Env["REVOCATIONS"],
  accessTokenTtlSeconds: number,
): RevocationView {
  let view = views.get(namespace);
  if (!view) {
    view = new RevocationView(singletonStore(namespace), keepMsFor(accessTokenTtlSeconds));
    views.set(namespace, view);
  }
  return view;
}

/**
 * A stub per call: a stub belongs to the request that made it (workerd refuses I/O on
 * behalf of another request), and the view outlives requests. Making one costs no I/O.
 */
function singletonStore(namespace: Env["REVOCATIONS"]): RevocationStore {
  const id = namespace.idFromName(REVOCATION_LIST_NAME);
  return {
    publish: (revocation, keepMs) => namespace.get(id).publish(revocation, keepMs),
    since: (cursor, keepMs) => namespace.get(id).since(cursor, keepMs),
  };
}
