-- AlterTable: the token of the process holding a node id (lib/fleet/sql.ts renew)
ALTER TABLE "FleetNode" ADD COLUMN "instance" TEXT NOT NULL DEFAULT '';
