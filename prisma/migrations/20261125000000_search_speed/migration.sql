-- hand-written: keep search rows whole, without TOAST, up to a full page (storage only; schema.prisma unchanged).
--
-- A query tests every matched document's tsvector several times (each query word, the name boost,
-- ts_rank). By default a row over ~2 kB has its largest values moved out to the TOAST table (a
-- server's vector first), and Postgres fetches them back from there for every single test: ranking
-- a common word cost ~6 µs per matched server. With the toasting threshold at a full page, rows stay
-- whole unless they could not fit in a page at all (vectors barely compress, so nothing is lost).
-- (SET STORAGE MAIN on the vectors alone does not do: the other text columns, the name included,
-- are then pushed out instead, and sorting by name pays the same price.)
ALTER TABLE "SearchServer" SET (toast_tuple_target = 8160);
ALTER TABLE "SearchTool" SET (toast_tuple_target = 8160);

-- The threshold applies to rows written from now on: rewrite the vectors already indexed (about a
-- second per 10,000 servers; a `toolshed reindex` does the same).
UPDATE "SearchServer" SET "search" = "search" || ''::tsvector, "nameSearch" = "nameSearch" || ''::tsvector;
UPDATE "SearchTool" SET "search" = "search" || ''::tsvector;
