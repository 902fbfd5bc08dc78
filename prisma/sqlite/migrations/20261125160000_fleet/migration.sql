-- CreateTable
CREATE TABLE "FleetNode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseExpiresMs" BIGINT NOT NULL,
    "capacity" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "PhoneOwner" (
    "phoneId" INTEGER NOT NULL PRIMARY KEY,
    "nodeId" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "claimedMs" BIGINT NOT NULL,
    CONSTRAINT "PhoneOwner_phoneId_fkey" FOREIGN KEY ("phoneId") REFERENCES "OrganizationPhone" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable: a row here is always refused (fencing: see models.prisma)
CREATE TABLE "FenceRefusal" (
    "phoneId" INTEGER NOT NULL PRIMARY KEY,
    CONSTRAINT "stale_owner_write_refused" CHECK (0)
);

-- CreateIndex
CREATE INDEX "PhoneOwner_nodeId_idx" ON "PhoneOwner"("nodeId");
