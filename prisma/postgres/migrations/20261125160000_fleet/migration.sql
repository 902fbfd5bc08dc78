-- CreateTable
CREATE TABLE "FleetNode" (
    "id" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseExpiresMs" BIGINT NOT NULL,
    "capacity" INTEGER NOT NULL,

    CONSTRAINT "FleetNode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PhoneOwner" (
    "phoneId" INTEGER NOT NULL,
    "nodeId" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "claimedMs" BIGINT NOT NULL,

    CONSTRAINT "PhoneOwner_pkey" PRIMARY KEY ("phoneId")
);

-- CreateTable: a row here is always refused (fencing: see models.prisma)
CREATE TABLE "FenceRefusal" (
    "phoneId" INTEGER NOT NULL,

    CONSTRAINT "FenceRefusal_pkey" PRIMARY KEY ("phoneId"),
    CONSTRAINT "stale_owner_write_refused" CHECK (false)
);

-- CreateIndex
CREATE INDEX "PhoneOwner_nodeId_idx" ON "PhoneOwner"("nodeId");

-- AddForeignKey
ALTER TABLE "PhoneOwner" ADD CONSTRAINT "PhoneOwner_phoneId_fkey" FOREIGN KEY ("phoneId") REFERENCES "OrganizationPhone"("id") ON DELETE CASCADE ON UPDATE CASCADE;
