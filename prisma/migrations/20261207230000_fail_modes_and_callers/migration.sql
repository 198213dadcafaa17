-- hand-written
CREATE TYPE "FailMode" AS ENUM ('OPEN', 'CLOSED');

ALTER TABLE "GatewayPolicy" ADD COLUMN "rateLimitFailMode" "FailMode" NOT NULL DEFAULT 'OPEN',
ADD COLUMN "quotaFailMode" "FailMode" NOT NULL DEFAULT 'CLOSED';

-- Nullable: events recorded before it keep the old reading (no table rewrite).
ALTER TABLE "UsageEvent" ADD COLUMN "authenticated" BOOLEAN;
