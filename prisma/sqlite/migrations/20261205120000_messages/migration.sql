-- CreateTable
CREATE TABLE "Message" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "phoneId" INTEGER NOT NULL,
    "messageId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "chatJid" TEXT NOT NULL,
    "senderJid" TEXT,
    "kind" TEXT NOT NULL,
    "body" TEXT,
    "media" TEXT,
    "mediaData" TEXT,
    "status" TEXT NOT NULL,
    "failureCode" TEXT,
    "failureText" TEXT,
    "idempotencyKey" TEXT,
    "bodyHash" TEXT,
    "ownerEpoch" BIGINT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "ackedAt" DATETIME,
    "deliveredAt" DATETIME,
    "readAt" DATETIME,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Message_phoneId_fkey" FOREIGN KEY ("phoneId") REFERENCES "OrganizationPhone" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Message_phoneId_seq_idx" ON "Message"("phoneId", "seq");

-- CreateIndex
CREATE INDEX "Message_phoneId_direction_status_seq_idx" ON "Message"("phoneId", "direction", "status", "seq");

-- CreateIndex
CREATE INDEX "Message_createdAt_idx" ON "Message"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Message_phoneId_messageId_key" ON "Message"("phoneId", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "Message_phoneId_idempotencyKey_key" ON "Message"("phoneId", "idempotencyKey");
