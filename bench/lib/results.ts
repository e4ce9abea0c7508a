// bench/RESULTS.md holds one section per benchmark, each between markers, so every bench
// rewrites its own section and leaves the others' figures alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const HEADER = `# Benchmark results

Written by the benchmarks themselves (\`npm run bench\` runs them all); each section says how
it was measured and on what. Raw results are in \`bench/results/\`.
`;

export function writeSection(file: string, name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trimEnd()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : HEADER;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + section + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
