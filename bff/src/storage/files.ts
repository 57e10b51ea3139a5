import type { Db } from '../db/create.ts';

/** Where uploaded files live. Postgres at this scale; an object store later, behind the same interface. */
export interface FileStore {
  put(file: { tenantId: string; ownerId: string; kind: string; contentType: string; bytes: Uint8Array; at: Date }): Promise<string>;
  list(tenantId: string, ownerId: string): Promise<{ id: string; kind: string; contentType: string; size: number }[]>;
}

export function postgresFileStore(db: Db): FileStore {
  return {
    async put(f) {
      const row = await db
        .insertInto('stored_files')
        .values({ tenant_id: f.tenantId, owner_id: f.ownerId, kind: f.kind, content_type: f.contentType, size: f.bytes.length, bytes: f.bytes, created_at: f.at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async list(tenantId, ownerId) {
      const rows = await db
        .selectFrom('stored_files')
        .select(['id', 'kind', 'content_type', 'size'])
        .where('tenant_id', '=', tenantId)
        .where('owner_id', '=', ownerId)
        .execute();
      return rows.map((r) => ({ id: r.id, kind: r.kind, contentType: r.content_type, size: r.size }));
    },
  };
}

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/** The file's type by its content (magic bytes), never by what the client claims. */
export function sniffContentType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | 'application/pdf' | undefined {
  const b = bytes;
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  if (b.length > 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d) return 'application/pdf';
  return undefined;
}
