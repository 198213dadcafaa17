-- AlterTable
ALTER TABLE "ServerVersion" ADD COLUMN     "isLatestApproved" BOOLEAN NOT NULL DEFAULT false;

-- hand-written: Prisma cannot express partial indexes. At most one latest approved version per server.
CREATE UNIQUE INDEX "ServerVersion_one_latest_approved_per_server" ON "ServerVersion"("serverId") WHERE "isLatestApproved";

-- Until now every version was approved when published, so the latest approved one is the latest one.
UPDATE "ServerVersion" SET "isLatestApproved" = TRUE WHERE "isLatest" AND "reviewState" = 'APPROVED';
