import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { MeilisearchIndex } from "@/lib/search/meilisearch";
import { startMeilisearch } from "../support/meilisearch";
import { ADMIN, describeSearchContract } from "../support/search-contract";

/**
 * The adapter-agnostic search contract on the Meilisearch adapter, against a real Meilisearch server
 * started for this file (scripts/install-meilisearch.sh installs the binary; without it: skipped).
 */
const meili = await startMeilisearch();

if (!meili) {
  describe.skip("Meilisearch adapter", () => {
    it("skipped: no Meilisearch binary (run scripts/install-meilisearch.sh)", () => {});
  });
} else {
  afterAll(() => meili.stop());
  const prefix = `contract-${randomBytes(4).toString("hex")}`;

  describeSearchContract("meilisearch", async () => new MeilisearchIndex({ url: meili.url, apiKey: meili.apiKey, prefix }));

  describe("Meilisearch adapter specifics", () => {
    it("reports an unreachable or refusing server as upstream_failed", async () => {
      const down = new MeilisearchIndex({ url: "http://127.0.0.1:9", prefix });
      const refused = new MeilisearchIndex({ url: meili.url, apiKey: "wrong-key", prefix });
      const query = { q: "x", filters: {}, sort: "relevance", offset: 0, limit: 5, scope: ADMIN, facets: [] } as const;
      for (const attempt of [() => down.searchServers(query), () => refused.ensureReady()]) {
        const e = await attempt().then(() => undefined, (x: unknown) => x);
        expect(isAppError(e) && e.code === "upstream_failed" && e.message.startsWith("Search backend unavailable")).toBe(true);
      }
    });

    it("changes nothing when the settings are already in place", async () => {
      const index = new MeilisearchIndex({ url: meili.url, apiKey: meili.apiKey, prefix: `${prefix}-settings` });
      await index.ensureReady();
      const tasks = async () =>
        ((await (await fetch(`${meili.url}/tasks?indexUids=${prefix}-settings-servers,${prefix}-settings-tools`, { headers: { Authorization: `Bearer ${meili.apiKey}` } })).json()) as { total: number }).total;
      const before = await tasks();
      await new MeilisearchIndex({ url: meili.url, apiKey: meili.apiKey, prefix: `${prefix}-settings` }).ensureReady();
      expect(await tasks()).toBe(before);
    });
  });
}
