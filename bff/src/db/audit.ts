import type { Transaction } from 'kysely';
import type { AuditEventType, AuditEventView } from '../../../shared/src/api.ts';
import type { Db } from './create.ts';
import { jsonbOfText } from './json.ts';
import type { Database } from './schema.ts';

type Conn = Db | Transaction<Database>;

export interface AuditEvent {
  tenantId: string;
  accountId: string | null;
  type: AuditEventType;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
  detail?: Record<string, string | number>;
  at: Date;
}

/** An event's column values, plain (the detail as JSON text): what a compiled statement fills in (db/compiled.ts). */
export function eventValues(e: AuditEvent) {
  return {
    tenant_id: e.tenantId,
    account_id: e.accountId,
    type: e.type,
    outcome: e.outcome,
    ip: e.ip,
    user_agent: e.userAgent?.slice(0, 512) ?? null,
    detail: JSON.stringify(e.detail ?? {}),
    created_at: e.at,
  };
}

/** The audit_events row of eventValues. */
export function eventRowOf(v: ReturnType<typeof eventValues>) {
  return { ...v, detail: jsonbOfText<Record<string, string | number>>(v.detail) };
}

/** The audit_events row of an event. */
export function eventRow(e: AuditEvent) {
  return eventRowOf(eventValues(e));
}

/** Appends to the audit log (in the caller's transaction when the event belongs to a change). */
export async function recordEvent(conn: Conn, e: AuditEvent): Promise<void> {
  await conn.insertInto('audit_events').values(eventRow(e)).execute();
}

export async function recentEvents(
  db: Conn,
  tenantId: string,
  accountId: string,
  limit = 10,
): Promise<AuditEventView[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    type: r.type as AuditEventType,
    outcome: r.outcome,
    at: (r.created_at instanceof Date ? r.created_at : new Date(r.created_at)).toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
    detail: r.detail,
  }));
}
