-- The login throttle counts attempts with one atomic upsert per key (issue 11) instead of a row
-- per failure.

-- DropTable
DROP TABLE "LoginFailure";

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "windowStart" BIGINT NOT NULL,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);
