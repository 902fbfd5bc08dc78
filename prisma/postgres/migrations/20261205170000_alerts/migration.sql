-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "alertEmailTo" TEXT;

-- AlterTable
ALTER TABLE "OrganizationPhone" ADD COLUMN     "alertsMutedUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "AlertIncident" (
    "id" SERIAL NOT NULL,
    "openKey" TEXT,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "phoneId" INTEGER,
    "phoneJid" TEXT,
    "organizationId" INTEGER,
    "nodeId" TEXT,
    "reason" TEXT,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notifiedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "resolvedNotifiedAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedBy" TEXT,

    CONSTRAINT "AlertIncident_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertIncident_openKey_key" ON "AlertIncident"("openKey");

-- CreateIndex
CREATE INDEX "AlertIncident_openedAt_idx" ON "AlertIncident"("openedAt");

-- CreateIndex
CREATE INDEX "AlertIncident_phoneId_idx" ON "AlertIncident"("phoneId");
