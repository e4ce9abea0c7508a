// Lua scripts written for Upstash, made runnable on a plain Redis. Upstash's SDK scripts
// (@upstash/ratelimit's, which this app used before docs/decisions/0020) start with `#!lua flags=allow-key-locking`, a flag only Upstash knows: Redis 7.0
// refuses the whole script ("Unexpected flag in script shebang"). The bridge drops flags
// Redis does not know before a script reaches it, and keeps the SDK's view consistent: the
// SDK names a script by the SHA1 of the text it holds (EVALSHA first, EVAL on NOSCRIPT),
// so EVALSHA/SCRIPT EXISTS are translated from that SHA1 to the rewritten script's, and
// SCRIPT LOAD answers the SHA1 of the script as sent.
import { createHash } from "node:crypto";

/** The shebang flags Redis 7.0 understands (https://redis.io/docs/latest/develop/programmability/lua-api/). */
const REDIS_FLAGS = new Set([
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
]);

const SHEBANG = /^#!lua([^\n]*)/;

export type Command = [string, ...string[]];

export interface Prepared {
  command: Command;
  /** What to do with Redis's reply before it goes back (SCRIPT LOAD answers the SDK's SHA1). */
  reply?: (reply: unknown) => unknown;
}

export class ScriptTranslator {
  /** SHA1 of the script as the client sent it → SHA1 of what Redis actually holds. */
  private readonly shas = new Map<string, string>();

  prepare(command: Command): Command | Prepared {
    const name = command[0].toUpperCase();
    if ((name === "EVAL" || name === "EVAL_RO") && command[1] !== undefined) {
      return this.withScript(command, 1);
    }
    if ((name === "EVALSHA" || name === "EVALSHA_RO") && command[1] !== undefined) {
      const [, sha, ...rest] = command;
      return [command[0], this.translate(sha), ...rest];
    }
    if (name === "SCRIPT" && command[1]?.toUpperCase() === "LOAD" && command[2] !== undefined) {
      const original = sha1(command[2]);
      const prepared = this.withScript(command, 2);
      return { command: prepared, reply: (r) => (r === null ? r : Buffer.from(original)) };
    }
    if (name === "SCRIPT" && command[1]?.toUpperCase() === "EXISTS") {
      const [, sub, ...shas] = command;
      return [command[0], sub as string, ...shas.map((s) => this.translate(s))];
    }
    return command;
  }

  private withScript(command: Command, at: number): Command {
    const script = command[at] as string;
    const runnable = withoutUnknownFlags(script);
    if (runnable === script) return command;
    this.shas.set(sha1(script), sha1(runnable));
    const copy = [...command] as Command;
    copy[at] = runnable;
    return copy;
  }

  private translate(sha: string): string {
    return this.shas.get(sha.toLowerCase()) ?? sha;
  }
}

/** The script with the shebang flags Redis does not know removed (the line is kept). */
function withoutUnknownFlags(script: string): string {
  const match = SHEBANG.exec(script);
  if (!match) return script;
  const params = (match[1] ?? "").trim().split(/\s+/).filter(Boolean);
  const kept = params.map((param) => {
    if (!param.startsWith("flags=")) return param;
    const flags = param
      .slice("flags=".length)
      .split(",")
      .filter((f) => REDIS_FLAGS.has(f));
    return `flags=${flags.join(",")}`;
  });
  const line = ["#!lua", ...kept].join(" ");
  return line === match[0] ? script : line + script.slice(match[0].length);
}

const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex");
