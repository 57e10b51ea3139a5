/**
 * Uploads of the lost-MFA-device application: checked in the browser with the BFF's own rule
 * (shared/src/rules/upload.ts), so a wrong file is refused at once with a localised message
 * instead of after a multi-megabyte upload. The BFF still decides.
 */
import type { FieldError } from './base-element.ts';

import { MAX_UPLOAD_BYTES, sniffUpload } from '../../../shared/src/rules/upload.ts';

export { MAX_UPLOAD_BYTES, sniffUpload };

/**
 * Checks a picked file (JPEG/PNG; PDF too when `allowPdf`, as for the business licence) and
 * answers its base64 — the API's `{ data }` — or the field error the server would give.
 */
export async function readUpload(file: File, allowPdf: boolean): Promise<{ data: string } | { error: FieldError }> {
  if (file.size > MAX_UPLOAD_BYTES)
    return { error: { code: 'file_too_large', params: { mb: MAX_UPLOAD_BYTES / 1024 / 1024 } } };
  const type = sniffUpload(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  if (!type || (type === 'application/pdf' && !allowPdf)) return { error: { code: 'file_type_invalid' } };
  const url = await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result as string);
    // the File API sets `error` before it fires the error event
    r.onerror = () => reject(r.error!);
    r.readAsDataURL(file);
  });
  // "data:<type>;base64,<data>": the API takes the bare base64
  return { data: url.slice(url.indexOf(',') + 1) };
}
