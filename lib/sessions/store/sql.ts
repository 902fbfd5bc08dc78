// The SQL of the session store, built as plain { sql, params } values, for one dialect at a time.
// Both databases take the same statements (double-quoted identifiers, INSERT … ON CONFLICT); they
// differ only in how parameters are written, which the dialect decides (lib/db/sql.ts).
// The dialect helpers are shared with the fleet's and the messages' SQL: they live in lib/db/sql.ts.
import { DIALECTS, Params, stamp, type Dialect, type Statement } from '../../db/sql';
export { DIALECTS, Params, stamp, type Dialect, type Statement };

export interface KeyRow {
  phoneId: number;
  type: string;
  keyId: string;
  data: string;
}

export interface KeyRef {
  phoneId: number;
  type: string;
  keyId: string;
}

export interface PhoneStateWrite {
  /** the session state; undefined: unchanged (a write of the other fields only, e.g. account signals) */
  status?: string;
  lastConnectedAt?: Date;
  lastCloseReason?: string | null;
  /** the structured last close (reasons.ts), as JSON text */
  lastClose?: string | null;
  /** the phone's own LID (…@lid), announced by WhatsApp at login */
  lid?: string | null;
  /** what WhatsApp last told the account about its standing (account-signals.ts storedSignals), as JSON text */
  accountSignals?: string | null;
}

/** A phone's history moves to a new state at `at`: the open interval ends there, a new one begins. */
export interface IntervalWrite {
  state: string;
  /** the history state before (null: not known in this process) */
  prev: string | null;
  at: Date;
  /** why it began (the close reason when a connection was lost) */
  reason: string | null;
  /** WhatsApp's close status code, when known */
  code: number | null;
}

export interface SessionEventWrite {
  phoneId: number;
  type: string;
  sender: string | null;
  count: number | null;
  message: string | null;
  detail: string | null;
  /** client-made unique id: storing the same event twice (a retry after an unclear failure) keeps one row */
  uid?: string;
  /** when it happened (defaults to now) */
  at?: Date;
}

/** Rows per multi-row statement: far below SQLite's and PostgreSQL's parameter limits. */
export const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class SqlBuilder {
  constructor(readonly dialect: Dialect) {}

  private params() {
    return new Params(this.dialect);
  }

  /** Upserts of any phones' keys; a key must occur once (PostgreSQL refuses to touch a row twice in one statement). */
  upsertKeys(rows: KeyRow[]): Statement[] {
    return chunks(rows, ROWS_PER_STATEMENT).map((part) => {
      const p = this.params();
      const now = stamp();
      const values = part.map((r) => `(${p.add(r.phoneId)}, ${p.add(r.type)}, ${p.add(r.keyId)}, ${p.add(r.data)}, ${p.add(now)})`);
      return {
        sql: `INSERT INTO "AuthKey" ("phoneId", "type", "keyId", "data", "updatedAt") VALUES ${values.join(', ')}
          ON CONFLICT ("phoneId", "type", "keyId") DO UPDATE SET "data" = excluded."data", "updatedAt" = excluded."updatedAt"`,
        params: p.values,
      };
    });
  }

  deleteKeys(keys: KeyRef[]): Statement[] {
    return chunks(keys, ROWS_PER_STATEMENT).map((part) => {
      const p = this.params();
      const matches = part.map((k) => `("phoneId" = ${p.add(k.phoneId)} AND "type" = ${p.add(k.type)} AND "keyId" = ${p.add(k.keyId)})`);
      return { sql: `DELETE FROM "AuthKey" WHERE ${matches.join(' OR ')}`, params: p.values };
    });
  }

  /** One query for the keys several phones ask for: `wanted` is phoneId → type → ids. */
  selectKeys(wanted: { phoneId: number; type: string; ids: string[] }[]): Statement[] {
    const groups: { phoneId: number; type: string; ids: string[] }[] = [];
    for (const w of wanted) for (const ids of chunks(w.ids, ROWS_PER_STATEMENT)) groups.push({ ...w, ids });
    const out: Statement[] = [];
    let p = this.params();
    let conds: string[] = [];
    const emit = () => {
      if (!conds.length) return;
      out.push({ sql: `SELECT "phoneId", "type", "keyId", "data" FROM "AuthKey" WHERE ${conds.join(' OR ')}`, params: p.values });
      p = this.params();
      conds = [];
    };
    for (const g of groups) {
      if (p.values.length + g.ids.length + 2 > ROWS_PER_STATEMENT * 3) emit();
      conds.push(`("phoneId" = ${p.add(g.phoneId)} AND "type" = ${p.add(g.type)} AND "keyId" IN (${g.ids.map((id) => p.add(id)).join(', ')}))`);
    }
    emit();
    return out;
  }

  /** Deletes one phone's keys of a type whose ids match any of the LIKE patterns (escape character `\`). */
  deleteKeysLike(phoneId: number, type: string, patterns: string[]): Statement {
    const p = this.params();
    const phone = p.add(phoneId);
    const t = p.add(type);
    const likes = patterns.map((pattern) => `"keyId" LIKE ${p.add(pattern)} ESCAPE '\\'`);
    return { sql: `DELETE FROM "AuthKey" WHERE "phoneId" = ${phone} AND "type" = ${t} AND (${likes.join(' OR ')})`, params: p.values };
  }

  /** The credentials of several phones (a mass login asks for many at once). */
  selectCreds(phoneIds: number[]): Statement[] {
    return chunks(phoneIds, ROWS_PER_STATEMENT).map((part) => {
      const p = this.params();
      return { sql: `SELECT "phoneId", "data" FROM "AuthCreds" WHERE "phoneId" IN (${part.map((id) => p.add(id)).join(', ')})`, params: p.values };
    });
  }

  upsertCreds(phoneId: number, data: string): Statement {
    const p = this.params();
    return {
      sql: `INSERT INTO "AuthCreds" ("phoneId", "data", "updatedAt") VALUES (${p.add(phoneId)}, ${p.add(data)}, ${p.add(stamp())})
        ON CONFLICT ("phoneId") DO UPDATE SET "data" = excluded."data", "updatedAt" = excluded."updatedAt"`,
      params: p.values,
    };
  }

  /** Forgets a phone's whole auth state (logout). */
  clearAuth(phoneId: number): Statement[] {
    const a = this.params();
    const b = this.params();
    return [
      { sql: `DELETE FROM "AuthKey" WHERE "phoneId" = ${a.add(phoneId)}`, params: a.values },
      { sql: `DELETE FROM "AuthCreds" WHERE "phoneId" = ${b.add(phoneId)}`, params: b.values },
    ];
  }

  phoneState(phoneId: number, data: PhoneStateWrite): Statement {
    const p = this.params();
    const sets = [`"updatedAt" = ${p.add(stamp())}`];
    if (data.status !== undefined) sets.push(`"status" = ${p.add(data.status)}`);
    if (data.lastConnectedAt) sets.push(`"lastConnectedAt" = ${p.add(data.lastConnectedAt)}`);
    if (data.lastCloseReason !== undefined) sets.push(`"lastCloseReason" = ${p.add(data.lastCloseReason)}`);
    if (data.lastClose !== undefined) sets.push(`"lastClose" = ${p.add(data.lastClose)}`);
    if (data.lid !== undefined) sets.push(`"lid" = ${p.add(data.lid)}`);
    if (data.accountSignals !== undefined) sets.push(`"accountSignals" = ${p.add(data.accountSignals)}`);
    return { sql: `UPDATE "OrganizationPhone" SET ${sets.join(', ')} WHERE "id" = ${p.add(phoneId)}`, params: p.values };
  }

  /** Ends the phone's open history interval at `w.at` and begins the next one. */
  interval(phoneId: number, w: IntervalWrite): Statement[] {
    const a = this.params();
    const b = this.params();
    return [
      { sql: `UPDATE "PhoneStateInterval" SET "endedAt" = ${a.add(w.at)} WHERE "phoneId" = ${a.add(phoneId)} AND "endedAt" IS NULL`, params: a.values },
      {
        sql: `INSERT INTO "PhoneStateInterval" ("phoneId", "state", "prev", "reason", "code", "startedAt") VALUES (${[phoneId, w.state, w.prev, w.reason, w.code, w.at].map((v) => b.add(v)).join(', ')})`,
        params: b.values,
      },
    ];
  }

  insertEvent(e: SessionEventWrite): Statement {
    const p = this.params();
    const cols = ['"phoneId"', '"type"', '"sender"', '"count"', '"message"', '"detail"', '"createdAt"'];
    const vals = [p.add(e.phoneId), p.add(e.type), p.add(e.sender), p.add(e.count), p.add(e.message), p.add(e.detail), p.add(e.at ?? stamp())];
    if (e.uid) {
      cols.push('"uid"');
      vals.push(p.add(e.uid));
    }
    return {
      sql: `INSERT INTO "SessionEvent" (${cols.join(', ')}) VALUES (${vals.join(', ')})${e.uid ? ' ON CONFLICT ("uid") DO NOTHING' : ''}`,
      params: p.values,
    };
  }
}

/** Escapes LIKE's wildcards (with `\` as the escape character). */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A sender's Signal sessions are stored under `user.device` (phone-number addresses) and, from
 * Baileys 7 on, `user_domain.device` for LID and hosted addresses (`15550001111_1.0`). These are
 * the LIKE patterns that find all of them, and the exact test for an id.
 */
export function senderSessionPatterns(senderUser: string): string[] {
  const user = likeLiteral(senderUser);
  return [`${user}.%`, `${user}\\_%.%`];
}

export function isSenderSession(keyId: string, senderUser: string): boolean {
  if (!keyId.startsWith(senderUser)) return false;
  return /^(_\d+)?\.\d+$/.test(keyId.slice(senderUser.length));
}
