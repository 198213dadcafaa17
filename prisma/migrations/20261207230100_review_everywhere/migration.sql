-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "gatewayServeUnapproved" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "SearchServer" ADD COLUMN     "served" BOOLEAN NOT NULL DEFAULT false;

-- hand-written: a search document says whether it is served to everyone who sees the server (an
-- approved version) or only to its owning team, reviewers and admins. Set from the versions at once,
-- so searches stay right until every server, queued here, has its document rebuilt from the version
-- now chosen (the latest approved one).
UPDATE "SearchServer" d SET "served" = EXISTS (
  SELECT 1 FROM "ServerVersion" v WHERE v."serverId" = d.id AND v."reviewState" = 'APPROVED' AND v.status <> 'DELETED');
INSERT INTO "SearchOutbox" ("serverId") SELECT id FROM "Server";
