-- AlterTable
ALTER TABLE "SessionEvent" ADD COLUMN "uid" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "SessionEvent_uid_key" ON "SessionEvent"("uid");
