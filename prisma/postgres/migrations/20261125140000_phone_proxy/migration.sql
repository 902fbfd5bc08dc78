-- AlterTable
ALTER TABLE "OrganizationPhone" ADD COLUMN "proxyUrl" TEXT;
