-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "alertEmailTo" TEXT;

-- AlterTable
ALTER TABLE "OrganizationPhone" ADD COLUMN "alertsMutedUntil" DATETIME;

-- CreateTable
CREATE TABLE "AlertIncident" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "openKey" TEXT,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "phoneId" INTEGER,
    "phoneJid" TEXT,
    "organizationId" INTEGER,
    "nodeId" TEXT,
    "reason" TEXT,
    "openedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notifiedAt" DATETIME,
    "resolvedAt" DATETIME,
    "resolvedNotifiedAt" DATETIME,
    "acknowledgedAt" DATETIME,
    "acknowledgedBy" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertIncident_openKey_key" ON "AlertIncident"("openKey");

-- CreateIndex
CREATE INDEX "AlertIncident_openedAt_idx" ON "AlertIncident"("openedAt");

-- CreateIndex
CREATE INDEX "AlertIncident_phoneId_idx" ON "AlertIncident"("phoneId");
