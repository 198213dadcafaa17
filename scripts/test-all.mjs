#!/usr/bin/env node
// `npm test`: every check in order, then one summary line. Exit code 1 when any step failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

mkdirSync("test-results", { recursive: true });
const bin = (name) => `node_modules/.bin/${name}`;
const steps = [
  { name: "types", cmd: [bin("tsc"), "--noEmit"] },
  { name: "lint", cmd: [bin("eslint"), "--max-warnings", "0", "."] },
  { name: "unit", cmd: [bin("vitest"), "run", "--project", "unit", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/unit.json"], report: "test-results/unit.json" },
  { name: "integration", cmd: [bin("vitest"), "run", "--project", "integration", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/integration.json"], report: "test-results/integration.json" },
  { name: "e2e", cmd: [bin("playwright"), "test"], report: "test-results/e2e.json" },
];

function counts(file) {
  if (!file || !existsSync(file)) return "";
  try {
    const r = JSON.parse(readFileSync(file, "utf8"));
    if ("numPassedTests" in r) return ` ${r.numPassedTests}/${r.numTotalTests}`; // vitest
    if (r.stats) return ` ${r.stats.expected}/${r.stats.expected + r.stats.unexpected + r.stats.flaky}`; // playwright
  } catch {
    /* a crashed run leaves no report; the exit code already says it failed */
  }
  return "";
}

const results = [];
for (const step of steps) {
  process.stdout.write(`\n━━ ${step.name} ━━\n`);
  const started = Date.now();
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const ok = r.status === 0;
  results.push({ name: step.name, ok, secs: ((Date.now() - started) / 1000).toFixed(0), counts: counts(step.report) });
}

const failed = results.filter((r) => !r.ok);
const line = results.map((r) => `${r.name} ${r.ok ? "ok" : "FAILED"}${r.counts} (${r.secs}s)`).join(" · ");
process.stdout.write(`\nSUMMARY: ${failed.length ? "FAILED" : "passed"} — ${line}\n`);
process.exit(failed.length ? 1 : 0);
