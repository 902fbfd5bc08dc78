-- The login throttle counts attempts with one atomic upsert per key (issue 11) instead of a row
-- per failure.

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "LoginFailure";
PRAGMA foreign_keys=on;

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL,
    "windowStart" BIGINT NOT NULL
);
