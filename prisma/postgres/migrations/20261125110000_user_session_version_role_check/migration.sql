-- User: a session version (sign-in cookies carrying an older one are refused) and a CHECK that
-- the role is exactly 'admin' or 'viewer'. Rows with any other role (the old code treated them
-- as admin) become 'admin' when they only differ in case or spaces, else 'viewer' (the least
-- privilege the constraint allows), and their sessions are ended (sessionVersion 1).
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;

UPDATE "User"
SET "role" = CASE WHEN lower(trim("role")) = 'admin' THEN 'admin' ELSE 'viewer' END,
    "sessionVersion" = 1
WHERE "role" NOT IN ('admin', 'viewer');

ALTER TABLE "User" ADD CONSTRAINT "User_role_check" CHECK ("role" IN ('admin', 'viewer'));
