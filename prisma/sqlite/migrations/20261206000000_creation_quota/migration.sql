-- Creation quotas per API token or signed-in user, counted fleet-wide (issue 21 item 5;
-- lib/quotas).

-- CreateTable
CREATE TABLE "CreationQuota" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL,
    "windowStart" BIGINT NOT NULL
);
