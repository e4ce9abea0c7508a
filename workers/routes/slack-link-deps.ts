import type { Database } from "../../db/client";
import { SlackNotifier } from "../adapters/slack/notifier";
import type { Deps } from "../context";
import type { SlackLinkDeps } from "../services/slack-link";

/**
 * Slack link codes go out as direct messages through the Slack app result messages use
 * (config.slack on either runtime), and are kept as HMACs under the deployment's secret.
 */
export function slackLinkDeps(deps: Pick<Deps, "config">, db: Database): SlackLinkDeps {
  return { db, notifier: new SlackNotifier(deps.config.slack), secret: deps.config.jwtSecret };
}
