-- AlterTable: the start of a delivery's current run of failures, and the claim of the worker
-- sending it (lib/notify/webhooks.ts, lib/notify/webhook-retry.ts)
ALTER TABLE "WebhookOutbox" ADD COLUMN "failingSince" TIMESTAMP(3);
ALTER TABLE "WebhookOutbox" ADD COLUMN "claimedUntil" TIMESTAMP(3);
