-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "gatewayServeUnapproved" BOOLEAN NOT NULL DEFAULT false;

-- hand-written: search documents say whether they are served to everyone who sees the server (an
-- approved version) or only to its owning team, reviewers and admins; every server is queued so the
-- next drain rebuilds its document from the version now chosen.
ALTER TABLE "SearchServer" ADD COLUMN "served" BOOLEAN NOT NULL DEFAULT false;
INSERT INTO "SearchOutbox" ("serverId") SELECT id FROM "Server";
