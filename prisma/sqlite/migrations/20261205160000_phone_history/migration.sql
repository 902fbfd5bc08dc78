-- AlterTable: uptime over the last 7 days as of the last health check (lib/health)
ALTER TABLE "OrganizationPhone" ADD COLUMN "uptime7d" REAL;

-- CreateTable: a phone's history as intervals of state (lib/health/history.ts)
CREATE TABLE "PhoneStateInterval" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "phoneId" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "prev" TEXT,
    "reason" TEXT,
    "code" INTEGER,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    CONSTRAINT "PhoneStateInterval_phoneId_fkey" FOREIGN KEY ("phoneId") REFERENCES "OrganizationPhone" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PhoneStateInterval_phoneId_startedAt_idx" ON "PhoneStateInterval"("phoneId", "startedAt");

-- CreateIndex
CREATE INDEX "PhoneStateInterval_endedAt_idx" ON "PhoneStateInterval"("endedAt");
