-- CreateEnum
CREATE TYPE "OrgRole" AS ENUM ('ADMIN', 'MEMBER');

-- CreateEnum
CREATE TYPE "TeamRole" AS ENUM ('OWNER', 'MAINTAINER', 'VIEWER');

-- CreateEnum
CREATE TYPE "Visibility" AS ENUM ('ORG', 'TEAM', 'PRIVATE');

-- CreateEnum
CREATE TYPE "ServerStatus" AS ENUM ('ACTIVE', 'DEPRECATED', 'DELETED');

-- CreateEnum
CREATE TYPE "ReviewState" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'CHANGED');

-- CreateEnum
CREATE TYPE "PinMode" AS ENUM ('BLOCK', 'WARN');

-- CreateEnum
CREATE TYPE "UpstreamTransport" AS ENUM ('STREAMABLE_HTTP', 'SSE');

-- CreateEnum
CREATE TYPE "ReviewDecision" AS ENUM ('APPROVE', 'REJECT');

-- CreateEnum
CREATE TYPE "ProbeOutcome" AS ENUM ('UP', 'DEGRADED', 'DOWN', 'AUTH_REQUIRED', 'ERROR');

-- CreateEnum
CREATE TYPE "ProtocolEra" AS ENUM ('MODERN', 'LEGACY');

-- CreateEnum
CREATE TYPE "ProbeTrigger" AS ENUM ('SCHEDULED', 'MANUAL', 'PUBLISH');

-- CreateEnum
CREATE TYPE "DefinitionKind" AS ENUM ('TOOL', 'PROMPT', 'RESOURCE', 'RESOURCE_TEMPLATE');

-- CreateEnum
CREATE TYPE "SubjectType" AS ENUM ('USER', 'TEAM', 'ALL');

-- CreateEnum
CREATE TYPE "AccessAction" AS ENUM ('VIEW', 'INVOKE', 'PUBLISH');

-- CreateEnum
CREATE TYPE "SecretOwnerType" AS ENUM ('ORG', 'TEAM', 'SERVER', 'USER');

-- CreateEnum
CREATE TYPE "CallOutcome" AS ENUM ('OK', 'UPSTREAM_ERROR', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'QUOTA_EXCEEDED', 'BLOCKED', 'ERROR');

-- CreateEnum
CREATE TYPE "OutboxOp" AS ENUM ('UPSERT', 'DELETE');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "image" TEXT,
    "passwordHash" TEXT,
    "role" "OrgRole" NOT NULL DEFAULT 'MEMBER',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastLoginAt" TIMESTAMP(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "oidcGroup" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "role" "TeamRole" NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "scopes" TEXT[],
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "detail" JSONB,
    "ip" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Server" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "ownerTeamId" TEXT,
    "createdById" TEXT,
    "visibility" "Visibility" NOT NULL DEFAULT 'ORG',
    "reviewState" "ReviewState" NOT NULL DEFAULT 'PENDING',
    "status" "ServerStatus" NOT NULL DEFAULT 'ACTIVE',
    "statusMessage" TEXT,
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "gatewayEnabled" BOOLEAN NOT NULL DEFAULT false,
    "upstreamUrl" TEXT,
    "upstreamTransport" "UpstreamTransport",
    "pinMode" "PinMode" NOT NULL DEFAULT 'WARN',
    "changedSinceApproval" BOOLEAN NOT NULL DEFAULT false,
    "probeIntervalSec" INTEGER,
    "nextProbeAt" TIMESTAMP(3),
    "lastProbedAt" TIMESTAMP(3),
    "health" "ProbeOutcome",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Server_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServerTeamAccess" (
    "serverId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerTeamAccess_pkey" PRIMARY KEY ("serverId","teamId")
);

-- CreateTable
CREATE TABLE "NamespaceClaim" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NamespaceClaim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServerVersion" (
    "id" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "serverJson" JSONB NOT NULL,
    "status" "ServerStatus" NOT NULL DEFAULT 'ACTIVE',
    "statusMessage" TEXT,
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "isLatest" BOOLEAN NOT NULL DEFAULT false,
    "reviewState" "ReviewState" NOT NULL DEFAULT 'PENDING',
    "approvedFingerprint" TEXT,
    "approvedAt" TIMESTAMP(3),
    "approvedById" TEXT,
    "publishedById" TEXT,
    "currentToolSetId" TEXT,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ServerVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" TEXT NOT NULL,
    "serverVersionId" TEXT NOT NULL,
    "reviewerId" TEXT,
    "decision" "ReviewDecision" NOT NULL,
    "comment" TEXT,
    "fingerprint" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Probe" (
    "id" TEXT NOT NULL,
    "serverId" TEXT,
    "serverVersionId" TEXT,
    "endpointUrl" TEXT NOT NULL,
    "transport" "UpstreamTransport",
    "trigger" "ProbeTrigger" NOT NULL DEFAULT 'SCHEDULED',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "outcome" "ProbeOutcome" NOT NULL,
    "error" TEXT,
    "httpStatus" INTEGER,
    "connectMs" INTEGER,
    "listMs" INTEGER,
    "totalMs" INTEGER,
    "protocolVersion" TEXT,
    "era" "ProtocolEra",
    "serverInfo" JSONB,
    "capabilities" JSONB,
    "toolSetId" TEXT,
    "toolSetFingerprint" TEXT,
    "toolCount" INTEGER,
    "promptCount" INTEGER,
    "resourceCount" INTEGER,
    "resourceTemplateCount" INTEGER,

    CONSTRAINT "Probe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ToolDefinition" (
    "id" TEXT NOT NULL,
    "serverVersionId" TEXT NOT NULL,
    "kind" "DefinitionKind" NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ToolDefinition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ToolSet" (
    "id" TEXT NOT NULL,
    "serverVersionId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ToolSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DriftEvent" (
    "id" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "serverVersionId" TEXT NOT NULL,
    "probeId" TEXT,
    "beforeFingerprint" TEXT,
    "afterFingerprint" TEXT NOT NULL,
    "diff" JSONB NOT NULL,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedById" TEXT,
    "acknowledgedAt" TIMESTAMP(3),

    CONSTRAINT "DriftEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessRule" (
    "id" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "subjectType" "SubjectType" NOT NULL,
    "userId" TEXT,
    "teamId" TEXT,
    "action" "AccessAction" NOT NULL,
    "allowTools" TEXT[],
    "denyTools" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayPolicy" (
    "id" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "ipAllow" TEXT[],
    "ipDeny" TEXT[],
    "rateLimit" JSONB,
    "quota" JSONB,
    "cache" JSONB,
    "credentialSecretId" TEXT,
    "credentialHeader" TEXT NOT NULL DEFAULT 'Authorization',
    "credentialTemplate" TEXT NOT NULL DEFAULT 'Bearer {secret}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Secret" (
    "id" TEXT NOT NULL,
    "ownerType" "SecretOwnerType" NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "tag" BYTEA NOT NULL,
    "keyVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Secret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageEvent" (
    "id" BIGSERIAL NOT NULL,
    "serverId" TEXT NOT NULL,
    "tokenId" TEXT,
    "userId" TEXT,
    "method" TEXT NOT NULL,
    "toolName" TEXT,
    "outcome" "CallOutcome" NOT NULL,
    "status" INTEGER,
    "latencyMs" INTEGER,
    "bytesIn" INTEGER,
    "bytesOut" INTEGER,
    "cacheHit" BOOLEAN NOT NULL DEFAULT false,
    "ip" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchOutbox" (
    "id" BIGSERIAL NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "op" "OutboxOp" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "SearchOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_ToolSetMembers" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,

    CONSTRAINT "_ToolSetMembers_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Account_userId_idx" ON "Account"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "Team_slug_key" ON "Team"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Team_oidcGroup_key" ON "Team"("oidcGroup");

-- CreateIndex
CREATE INDEX "Membership_teamId_idx" ON "Membership"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_userId_teamId_key" ON "Membership"("userId", "teamId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_idx" ON "AuditEvent"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_action_createdAt_idx" ON "AuditEvent"("action", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Server_name_key" ON "Server"("name");

-- CreateIndex
CREATE INDEX "Server_updatedAt_idx" ON "Server"("updatedAt");

-- CreateIndex
CREATE INDEX "Server_ownerTeamId_idx" ON "Server"("ownerTeamId");

-- CreateIndex
CREATE INDEX "Server_nextProbeAt_idx" ON "Server"("nextProbeAt");

-- CreateIndex
CREATE INDEX "ServerTeamAccess_teamId_idx" ON "ServerTeamAccess"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "NamespaceClaim_prefix_key" ON "NamespaceClaim"("prefix");

-- CreateIndex
CREATE INDEX "NamespaceClaim_teamId_idx" ON "NamespaceClaim"("teamId");

-- CreateIndex
CREATE INDEX "ServerVersion_serverId_isLatest_idx" ON "ServerVersion"("serverId", "isLatest");

-- CreateIndex
CREATE INDEX "ServerVersion_updatedAt_id_idx" ON "ServerVersion"("updatedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ServerVersion_serverId_version_key" ON "ServerVersion"("serverId", "version");

-- CreateIndex
CREATE INDEX "Review_serverVersionId_createdAt_idx" ON "Review"("serverVersionId", "createdAt");

-- CreateIndex
CREATE INDEX "Probe_serverId_startedAt_idx" ON "Probe"("serverId", "startedAt");

-- CreateIndex
CREATE INDEX "Probe_serverVersionId_startedAt_idx" ON "Probe"("serverVersionId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ToolDefinition_serverVersionId_kind_name_fingerprint_key" ON "ToolDefinition"("serverVersionId", "kind", "name", "fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "ToolSet_serverVersionId_fingerprint_key" ON "ToolSet"("serverVersionId", "fingerprint");

-- CreateIndex
CREATE INDEX "DriftEvent_serverId_detectedAt_idx" ON "DriftEvent"("serverId", "detectedAt");

-- CreateIndex
CREATE INDEX "DriftEvent_acknowledgedAt_detectedAt_idx" ON "DriftEvent"("acknowledgedAt", "detectedAt");

-- CreateIndex
CREATE INDEX "AccessRule_serverId_idx" ON "AccessRule"("serverId");

-- CreateIndex
CREATE INDEX "AccessRule_userId_idx" ON "AccessRule"("userId");

-- CreateIndex
CREATE INDEX "AccessRule_teamId_idx" ON "AccessRule"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayPolicy_serverId_key" ON "GatewayPolicy"("serverId");

-- CreateIndex
CREATE UNIQUE INDEX "Secret_ownerType_ownerId_name_key" ON "Secret"("ownerType", "ownerId", "name");

-- CreateIndex
CREATE INDEX "UsageEvent_serverId_createdAt_idx" ON "UsageEvent"("serverId", "createdAt");

-- CreateIndex
CREATE INDEX "UsageEvent_userId_createdAt_idx" ON "UsageEvent"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "UsageEvent_createdAt_idx" ON "UsageEvent" USING BRIN ("createdAt");

-- CreateIndex
CREATE INDEX "SearchOutbox_processedAt_id_idx" ON "SearchOutbox"("processedAt", "id");

-- CreateIndex
CREATE INDEX "_ToolSetMembers_B_index" ON "_ToolSetMembers"("B");

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Server" ADD CONSTRAINT "Server_ownerTeamId_fkey" FOREIGN KEY ("ownerTeamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Server" ADD CONSTRAINT "Server_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServerTeamAccess" ADD CONSTRAINT "ServerTeamAccess_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServerTeamAccess" ADD CONSTRAINT "ServerTeamAccess_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NamespaceClaim" ADD CONSTRAINT "NamespaceClaim_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NamespaceClaim" ADD CONSTRAINT "NamespaceClaim_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServerVersion" ADD CONSTRAINT "ServerVersion_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServerVersion" ADD CONSTRAINT "ServerVersion_approvedById_fkey" FOREIGN KEY ("approvedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServerVersion" ADD CONSTRAINT "ServerVersion_publishedById_fkey" FOREIGN KEY ("publishedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServerVersion" ADD CONSTRAINT "ServerVersion_currentToolSetId_fkey" FOREIGN KEY ("currentToolSetId") REFERENCES "ToolSet"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_serverVersionId_fkey" FOREIGN KEY ("serverVersionId") REFERENCES "ServerVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Probe" ADD CONSTRAINT "Probe_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Probe" ADD CONSTRAINT "Probe_serverVersionId_fkey" FOREIGN KEY ("serverVersionId") REFERENCES "ServerVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Probe" ADD CONSTRAINT "Probe_toolSetId_fkey" FOREIGN KEY ("toolSetId") REFERENCES "ToolSet"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolDefinition" ADD CONSTRAINT "ToolDefinition_serverVersionId_fkey" FOREIGN KEY ("serverVersionId") REFERENCES "ServerVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolSet" ADD CONSTRAINT "ToolSet_serverVersionId_fkey" FOREIGN KEY ("serverVersionId") REFERENCES "ServerVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftEvent" ADD CONSTRAINT "DriftEvent_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftEvent" ADD CONSTRAINT "DriftEvent_serverVersionId_fkey" FOREIGN KEY ("serverVersionId") REFERENCES "ServerVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftEvent" ADD CONSTRAINT "DriftEvent_probeId_fkey" FOREIGN KEY ("probeId") REFERENCES "Probe"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftEvent" ADD CONSTRAINT "DriftEvent_acknowledgedById_fkey" FOREIGN KEY ("acknowledgedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRule" ADD CONSTRAINT "AccessRule_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRule" ADD CONSTRAINT "AccessRule_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRule" ADD CONSTRAINT "AccessRule_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayPolicy" ADD CONSTRAINT "GatewayPolicy_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayPolicy" ADD CONSTRAINT "GatewayPolicy_credentialSecretId_fkey" FOREIGN KEY ("credentialSecretId") REFERENCES "Secret"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageEvent" ADD CONSTRAINT "UsageEvent_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageEvent" ADD CONSTRAINT "UsageEvent_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageEvent" ADD CONSTRAINT "UsageEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_ToolSetMembers" ADD CONSTRAINT "_ToolSetMembers_A_fkey" FOREIGN KEY ("A") REFERENCES "ToolDefinition"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_ToolSetMembers" ADD CONSTRAINT "_ToolSetMembers_B_fkey" FOREIGN KEY ("B") REFERENCES "ToolSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- hand-written: Prisma cannot express partial indexes. Exactly one latest version per server.
CREATE UNIQUE INDEX "ServerVersion_one_latest_per_server" ON "ServerVersion"("serverId") WHERE "isLatest";
