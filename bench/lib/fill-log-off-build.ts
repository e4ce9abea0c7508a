import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./stack";

/**
 * The "off" build of the fill-log cost: this very commit with the chain and the receipts
 * taken out and nothing else changed, so the two builds differ by exactly what issue 16 asks
 * to price. It is HEAD as a detached git worktree in a temp folder (sharing this checkout's
 * node_modules), edited in three places:
 *
 *   - recordInLog returns no entries (no SHA-256 chain, no log rows or keys written, no
 *     `lastEntry`, so the app signs no receipt);
 *   - memberTagOf returns a constant (no HMAC per member);
 *   - GET /.well-known/jwks.json answers 404, so expectBuild can tell the builds apart.
 *
 * Each edit is anchored on the text it follows; an anchor that no longer exists stops the
 * bench (the code moved: update the anchor), rather than measuring an unedited build.
 */

type Edit = { file: string; after: string; insert: string };

const EDITS: Edit[] = [
  {
    file: "core/fill-log/record.ts",
    after: "): { next: GateState; entries: LogEntry[]; applications: Application[] } {\n",
    insert:
      "  return { next: state, entries: [], applications: changes.map((c) => ({ ...c.application, lastEntry: null })) };\n",
  },
  {
    file: "core/fill-log/chain.ts",
    after: "export function memberTagOf(trialSecret: string, userId: string): string {\n",
    insert: '  return "0".repeat(64);\n',
  },
  {
    file: "workers/routes/well-known.ts",
    after: '.get("/.well-known/jwks.json", (c) => {\n',
    insert: '  return c.json({ error: { code: "NOT_FOUND", message: "off build" } }, 404);\n',
  },
];

export function checkOutOffBuild(): { root: string; commit: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tryit-fill-log-off-"));
  const root = join(dir, "app");
  const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  execFileSync("git", ["worktree", "add", "--detach", root, commit], {
    cwd: ROOT,
    stdio: "ignore",
  });
  const remove = () => {
    try {
      execFileSync("git", ["worktree", "remove", "--force", root], { cwd: ROOT, stdio: "ignore" });
    } catch (err) {
      console.error("[bench] git worktree remove:", err);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const edit of EDITS) {
      const path = join(root, edit.file);
      const text = readFileSync(path, "utf8");
      const at = text.indexOf(edit.after);
      if (at < 0) throw new Error(`off build: "${edit.after.trim()}" is no longer in ${edit.file}`);
      const cut = at + edit.after.length;
      writeFileSync(path, text.slice(0, cut) + edit.insert + text.slice(cut));
    }
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
  } catch (err) {
    remove();
    throw err;
  }
  return { root, commit, remove };
}
