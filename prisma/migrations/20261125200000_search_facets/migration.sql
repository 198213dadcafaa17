-- hand-written: search index settings and two SearchServer indexes (schema.prisma unchanged, like
-- the other search indexes).
--
-- GIN indexes take new entries into an unsorted "pending list" (up to 4 MB by default) that every
-- search then reads in full until a vacuum merges it: right after a reindex, ~380 pages for the
-- tools of 10,000 servers, which doubled tool search times (16 → 34 ms median). Capped at 256 kB,
-- inserts are still batched, and a search reads at most 32 pending pages.
ALTER INDEX "SearchServer_search_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "SearchTool_search_idx" SET (gin_pending_list_limit = 256);
SELECT gin_clean_pending_list('"SearchServer_search_idx"'::regclass), gin_clean_pending_list('"SearchTool_search_idx"'::regclass);

-- Browsing newest first ("updated" sort): the page's rows come from the index instead of a sort of
-- every visible server (the "name" sort has "SearchServer_name_idx").
CREATE INDEX "SearchServer_updated_idx" ON "SearchServer" ("updatedAt" DESC, "name" COLLATE "C");

-- The servers with a query word in their name: for a one-word (or match-all) query these are the
-- only ones that score above the rest, so when there are enough of them for the page, only they are
-- scored and ranked (see textSql's `tier` in lib/search/postgres-text.ts).
CREATE INDEX "SearchServer_nameSearch_idx" ON "SearchServer" USING GIN ("nameSearch") WITH (gin_pending_list_limit = 256);
