-- DropIndex
DROP INDEX "SearchOutbox_processedAt_id_idx";

-- hand-written: rows of the old outbox shape are dropped (every server is queued again at the end).
DELETE FROM "SearchOutbox";

-- AlterTable
ALTER TABLE "SearchOutbox" DROP COLUMN "attempts",
DROP COLUMN "createdAt",
DROP COLUMN "entityId",
DROP COLUMN "entityType",
DROP COLUMN "lastError",
DROP COLUMN "op",
DROP COLUMN "processedAt",
ADD COLUMN     "enqueuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "serverId" TEXT NOT NULL;

-- DropEnum
DROP TYPE "OutboxOp";

-- CreateTable
CREATE TABLE "SearchServer" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "longDescription" TEXT,
    "tags" TEXT[],
    "categories" TEXT[],
    "transports" TEXT[],
    "packageTypes" TEXT[],
    "visibility" TEXT NOT NULL,
    "ownerTeamId" TEXT,
    "team" TEXT,
    "accessTeamIds" TEXT[],
    "reviewState" TEXT NOT NULL,
    "health" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "latestVersion" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "toolCount" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "search" tsvector,
    "nameSearch" tsvector,

    CONSTRAINT "SearchServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchTool" (
    "serverId" TEXT NOT NULL,
    "ord" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "params" TEXT NOT NULL,
    "search" tsvector,

    CONSTRAINT "SearchTool_pkey" PRIMARY KEY ("serverId","ord")
);

-- CreateTable
CREATE TABLE "SearchWord" (
    "word" TEXT NOT NULL,

    CONSTRAINT "SearchWord_pkey" PRIMARY KEY ("word")
);

-- hand-written: search extensions, text and trigram indexes, and the outbox triggers.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE INDEX "SearchServer_search_idx" ON "SearchServer" USING GIN ("search");
CREATE INDEX "SearchTool_search_idx" ON "SearchTool" USING GIN ("search");
-- Tool listings without a query walk the tools in (server, position) order: the primary key.
-- Typo correction: nearest words by trigram distance (KNN needs GiST); prefix lookups need pattern ops.
CREATE INDEX "SearchWord_trgm_idx" ON "SearchWord" USING GIST ("word" gist_trgm_ops);
CREATE INDEX "SearchWord_prefix_idx" ON "SearchWord" ("word" text_pattern_ops);
-- Name sort and tie-break in byte order, the same in every adapter.
CREATE INDEX "SearchServer_name_idx" ON "SearchServer" ("name" COLLATE "C");

-- Outbox: every change to something indexed enqueues the server id; the WHEN clauses keep the
-- prober's per-probe bookkeeping (lastProbedAt, nextProbeAt, probeFailures, uptime) from enqueuing.
CREATE FUNCTION search_enqueue_server() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "SearchOutbox" ("serverId") VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END $$;

CREATE FUNCTION search_enqueue_server_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "SearchOutbox" ("serverId") VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD."serverId" ELSE NEW."serverId" END);
  RETURN NULL;
END $$;

CREATE FUNCTION search_enqueue_team_servers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "SearchOutbox" ("serverId") SELECT id FROM "Server" WHERE "ownerTeamId" = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER search_server_insert_delete AFTER INSERT OR DELETE ON "Server"
  FOR EACH ROW EXECUTE FUNCTION search_enqueue_server();
CREATE TRIGGER search_server_update AFTER UPDATE ON "Server"
  FOR EACH ROW WHEN (
    OLD.name IS DISTINCT FROM NEW.name OR OLD.title IS DISTINCT FROM NEW.title
    OR OLD.description IS DISTINCT FROM NEW.description OR OLD.visibility IS DISTINCT FROM NEW.visibility
    OR OLD."ownerTeamId" IS DISTINCT FROM NEW."ownerTeamId" OR OLD."reviewState" IS DISTINCT FROM NEW."reviewState"
    OR OLD.status IS DISTINCT FROM NEW.status OR OLD.health IS DISTINCT FROM NEW.health
    OR OLD."changedSinceApproval" IS DISTINCT FROM NEW."changedSinceApproval")
  EXECUTE FUNCTION search_enqueue_server();

CREATE TRIGGER search_version_insert_delete AFTER INSERT OR DELETE ON "ServerVersion"
  FOR EACH ROW EXECUTE FUNCTION search_enqueue_server_of_row();
CREATE TRIGGER search_version_update AFTER UPDATE ON "ServerVersion"
  FOR EACH ROW WHEN (
    OLD.status IS DISTINCT FROM NEW.status OR OLD."isLatest" IS DISTINCT FROM NEW."isLatest"
    OR OLD."serverJson" IS DISTINCT FROM NEW."serverJson" OR OLD."reviewState" IS DISTINCT FROM NEW."reviewState"
    OR OLD."currentToolSetId" IS DISTINCT FROM NEW."currentToolSetId" OR OLD."updatedAt" IS DISTINCT FROM NEW."updatedAt")
  EXECUTE FUNCTION search_enqueue_server_of_row();

CREATE TRIGGER search_team_access AFTER INSERT OR UPDATE OR DELETE ON "ServerTeamAccess"
  FOR EACH ROW EXECUTE FUNCTION search_enqueue_server_of_row();

CREATE TRIGGER search_team_slug AFTER UPDATE OF slug ON "Team"
  FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug)
  EXECUTE FUNCTION search_enqueue_team_servers();

-- Every existing server is queued, so the first drain after this migration builds the index.
INSERT INTO "SearchOutbox" ("serverId") SELECT id FROM "Server";
