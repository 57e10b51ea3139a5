/**
 * Uploads of the lost-MFA-device application: checked in the browser the way the BFF checks them
 * (bff/src/services/mfa-recovery.ts decodeFile, bff/src/storage/files.ts), so a wrong file is
 * refused at once with a localised message instead of after a multi-megabyte upload. The BFF
 * still decides. widget/test/upload.test.ts keeps these in step with the server's.
 */
import type { FieldError } from './base-element.ts';

/** The server's MAX_UPLOAD_BYTES (bff/src/storage/files.ts): 2 MB per file, decoded. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/** The file's type by its first bytes, as the server sniffs it (never by name or claimed type). */
export function sniffUpload(b: Uint8Array): 'image/jpeg' | 'image/png' | 'application/pdf' | undefined {
  const starts = (...sig: number[]) => b.length > sig.length && sig.every((x, i) => b[i] === x);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return undefined;
}

/**
 * Checks a picked file (JPEG/PNG; PDF too when `allowPdf`, as for the business licence) and
 * answers its base64 — the API's `{ data }` — or the field error the server would give.
 */
export async function readUpload(file: File, allowPdf: boolean): Promise<{ data: string } | { error: FieldError }> {
  if (file.size > MAX_UPLOAD_BYTES) return { error: { code: 'file_too_large', params: { mb: MAX_UPLOAD_BYTES / 1024 / 1024 } } };
  const type = sniffUpload(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  if (!type || (type === 'application/pdf' && !allowPdf)) return { error: { code: 'file_type_invalid' } };
  const url = await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result as string);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
  // "data:<type>;base64,<data>": the API takes the bare base64
  return { data: url.slice(url.indexOf(',') + 1) };
}
