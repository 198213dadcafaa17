-- AlterTable
ALTER TABLE "GatewayPolicy" DROP COLUMN "credentialHeader",
DROP COLUMN "credentialTemplate",
ADD COLUMN     "capturePayloads" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "maxRequestBytes" INTEGER,
ADD COLUMN     "timeoutMs" INTEGER;

-- AlterTable
ALTER TABLE "UsageEvent" ADD COLUMN     "decision" TEXT,
ADD COLUMN     "payload" JSONB,
ADD COLUMN     "traceId" TEXT;
