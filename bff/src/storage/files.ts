import type { Db } from '../db/create.ts';

/** Where uploaded files live. Postgres at this scale; an object store later, behind the same interface. */
export interface FileStore {
  put(file: {
    tenantId: string;
    ownerId: string;
    kind: string;
    contentType: string;
    bytes: Uint8Array;
    at: Date;
  }): Promise<string>;
  list(tenantId: string, ownerId: string): Promise<{ id: string; kind: string; contentType: string; size: number }[]>;
}

export function postgresFileStore(db: Db): FileStore {
  return {
    async put(f) {
      const row = await db
        .insertInto('stored_files')
        .values({
          tenant_id: f.tenantId,
          owner_id: f.ownerId,
          kind: f.kind,
          content_type: f.contentType,
          size: f.bytes.length,
          bytes: f.bytes,
          created_at: f.at,
        })
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

// the limit and the sniffing are shared with the widget, which checks before uploading
export { MAX_UPLOAD_BYTES, sniffUpload as sniffContentType } from '../../../shared/src/rules/upload.ts';
