import type { Command } from "./commands";
import { progressBar } from "./progress";

// Loaded when run, like cli/probe-commands.ts: ./commands without an import cycle.

export const SEARCH_COMMANDS: Command[] = [
  {
    name: "reindex",
    usage: "reindex",
    summary: "Rebuild the search index (Postgres or Meilisearch) from the database, with progress",
    options: {},
    async run() {
      const { withDatabase } = await import("./commands");
      const { reindexAll, searchIndex } = await import("@/lib/search/indexer");
      const bar = progressBar();
      const started = Date.now();
      const r = await withDatabase(() => reindexAll((done, total) => bar.update(done, total))).finally(() => bar.clear());
      process.stdout.write(`Indexed ${r.indexed} server${r.indexed === 1 ? "" : "s"} into ${searchIndex().kind} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  },
  {
    name: "check-index",
    usage: "check-index",
    summary: "Compare the search index with the database; exit 1 and list the differences when they disagree",
    options: {},
    async run() {
      const { withDatabase } = await import("./commands");
      const { checkIndex, searchIndex } = await import("@/lib/search/indexer");
      const r = await withDatabase(() => checkIndex());
      const lines = [
        ...r.missing.map((n) => `missing from the index: ${n}`),
        ...r.extra.map((n) => `in the index but not (or deleted) in the database: ${n}`),
        ...r.stale.map((n) => `out of date in the index: ${n}`),
      ];
      for (const l of lines) process.stdout.write(l + "\n");
      process.stdout.write(lines.length ? `${lines.length} difference${lines.length === 1 ? "" : "s"}; run \`toolshed reindex\` to rebuild\n` : `The ${searchIndex().kind} index matches the database\n`);
      return lines.length ? 1 : 0;
    },
  },
];
