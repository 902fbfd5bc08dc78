// Organizations (tenants): deleting one (issue 21 item 5). Organizations are created with their
// first phone (POST /api/sessions with `organizationName`); an empty one can be deleted.
import type { Db } from '../db/client';
import { providerOf } from '../db/provider';
import { getConfig } from '../config';
import { recordAudit } from '../audit';
import type { Actor } from '../auth/roles';
import { ConflictError, NotFoundError } from '../errors';

type Outcome = { deleted: true; name: string } | { deleted: false; phones: number } | null;

/**
 * Deletes the organization when it has no phone, in one step no phone creation can slip into
 * (a phone's row would go with it: the relation cascades). PostgreSQL: the organization's row is
 * locked first (FOR UPDATE), so a phone being added to it either committed before (and is
 * counted) or waits and then fails on the vanished organization. SQLite: one statement (its
 * writes are serialized).
 */
async function deleteIfEmpty(db: Db, id: number): Promise<Outcome> {
  if (providerOf(getConfig().DATABASE_URL) === 'postgresql') {
    return db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ name: string }[]>`SELECT "name" FROM "Organization" WHERE "id" = ${id} FOR UPDATE`;
      if (!rows.length) return null;
      const phones = await tx.organizationPhone.count({ where: { organizationId: id } });
      if (phones > 0) return { deleted: false, phones };
      await tx.$executeRaw`DELETE FROM "Organization" WHERE "id" = ${id}`;
      return { deleted: true, name: rows[0].name };
    });
  }
  const row = await db.organization.findUnique({ where: { id }, select: { name: true } });
  if (!row) return null;
  const deleted = await db.$executeRaw`DELETE FROM "Organization" WHERE "id" = ${id} AND NOT EXISTS (SELECT 1 FROM "OrganizationPhone" WHERE "organizationId" = ${id})`;
  if (deleted === 1) return { deleted: true, name: row.name };
  const phones = await db.organizationPhone.count({ where: { organizationId: id } });
  // Deleted by a concurrent request in between, or emptied again: tell the caller what is true now.
  if (!(await db.organization.findUnique({ where: { id }, select: { id: true } }))) return null;
  return { deleted: false, phones };
}

/**
 * DELETE /api/organizations/:id: 404 when there is none, 409 `organization_not_empty` while it has
 * phones (delete or move them first). Its pending webhook deliveries are given up when their turn
 * comes ("organization deleted"); the audit keeps its history. Audited.
 */
export async function deleteOrganization(db: Db, id: number, actor: Actor | null): Promise<{ success: true; message: string }> {
  const outcome = await deleteIfEmpty(db, id);
  if (!outcome) throw new NotFoundError('Organization not found');
  if (!outcome.deleted) {
    await recordAudit(db, { actor, action: 'organization.delete', targetType: 'organization', targetId: id, result: 'error', detail: { error: 'has phones', phones: outcome.phones } });
    throw new ConflictError(`The organization has ${outcome.phones} phone${outcome.phones === 1 ? '' : 's'}: delete them first`, { phones: outcome.phones }, 'organization_not_empty');
  }
  await recordAudit(db, { actor, action: 'organization.delete', targetType: 'organization', targetId: id, result: 'ok', detail: { name: outcome.name } });
  return { success: true, message: 'Organization deleted' };
}
