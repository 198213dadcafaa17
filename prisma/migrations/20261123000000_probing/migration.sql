-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "p50LatencyMs" INTEGER,
ADD COLUMN     "probeFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "uptime30d" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "ServerVersion" ADD COLUMN     "toolCount" INTEGER,
ADD COLUMN     "toolNames" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "toolSetFingerprint" TEXT;

-- CreateIndex
CREATE INDEX "Probe_startedAt_idx" ON "Probe" USING BRIN ("startedAt");
