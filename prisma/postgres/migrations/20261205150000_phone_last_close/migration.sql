-- AlterTable
ALTER TABLE "OrganizationPhone" ADD COLUMN "lastClose" TEXT;
