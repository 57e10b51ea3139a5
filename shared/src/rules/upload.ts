/**
 * Uploaded files (the lost-MFA-device application's photos and licence): the size limit and the
 * type by content — checked in the widget before the upload and again by the BFF, which decides.
 */

/** 2 MB per file, decoded. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

export type UploadType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** The file's type by its first bytes (magic numbers), never by its name or the type a client claims. */
export function sniffUpload(b: Uint8Array): UploadType | undefined {
  const starts = (...sig: number[]) => b.length > sig.length && sig.every((x, i) => b[i] === x);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return undefined;
}
