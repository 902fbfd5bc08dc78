-- AlterTable
ALTER TABLE "OrganizationPhone" ADD COLUMN "engine" TEXT NOT NULL DEFAULT 'baileys-6';
ALTER TABLE "OrganizationPhone" ADD COLUMN "lid" TEXT;
