-- User: a session version (sign-in cookies carrying an older one are refused) and a CHECK that
-- the role is exactly 'admin' or 'viewer'. SQLite cannot add a CHECK to an existing table, so the
-- table is rebuilt (Prisma's redefine-table pattern): rows, ids, the AUTOINCREMENT counter, the
-- unique index and the ApiToken foreign keys are kept. Prisma applies SQLite migrations outside a
-- transaction, so the foreign_keys pragma takes effect and dropping the old table does not fire
-- ApiToken's ON DELETE SET NULL.
--
-- Rows with any other role (the old code treated them as admin) become 'admin' when they only
-- differ from it in case or spaces ('Admin '), else 'viewer' ('Viewer', 'readonly', 'disabled'):
-- the least privilege the constraint allows. Their sessions are ended (sessionVersion 1).
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'admin',
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" DATETIME,
    CONSTRAINT "User_role_check" CHECK ("role" IN ('admin', 'viewer'))
);
INSERT INTO "new_User" ("id", "email", "name", "passwordHash", "role", "sessionVersion", "createdAt", "lastLoginAt")
SELECT "id", "email", "name", "passwordHash",
       CASE WHEN "role" IN ('admin', 'viewer') THEN "role"
            WHEN lower(trim("role")) = 'admin' THEN 'admin'
            ELSE 'viewer' END,
       CASE WHEN "role" IN ('admin', 'viewer') THEN 0 ELSE 1 END,
       "createdAt", "lastLoginAt"
FROM "User";
-- Keep the AUTOINCREMENT high-water mark: ids of deleted users are never handed out again.
INSERT INTO "sqlite_sequence" ("name", "seq")
SELECT 'new_User', "seq" FROM "sqlite_sequence"
WHERE "name" = 'User' AND NOT EXISTS (SELECT 1 FROM "sqlite_sequence" WHERE "name" = 'new_User');
UPDATE "sqlite_sequence"
SET "seq" = (SELECT "seq" FROM "sqlite_sequence" WHERE "name" = 'User')
WHERE "name" = 'new_User' AND "seq" < (SELECT "seq" FROM "sqlite_sequence" WHERE "name" = 'User');
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
