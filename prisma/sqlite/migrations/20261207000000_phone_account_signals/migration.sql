-- AlterTable
ALTER TABLE "OrganizationPhone" ADD COLUMN "accountSignals" TEXT;
