/**
 * The upload check (shared/src/rules/upload.ts, used by the widget before uploading and by the
 * BFF, which decides): the size limit and the type by content, never by name or claimed type.
 */
import { expect } from '@open-wc/testing';
import { MAX_UPLOAD_BYTES, readUpload, sniffUpload } from '../src/parts/upload.ts';

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);

const SAMPLES: [string, Uint8Array, string | undefined][] = [
  ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16), 'image/jpeg'],
  ['jpeg header only (too short)', bytes(0xff, 0xd8, 0xff), undefined],
  ['png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), 'image/png'],
  ['png signature only (too short)', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), undefined],
  ['png with a wrong byte', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b, 0), undefined],
  ['pdf', text('%PDF-1.7\n'), 'application/pdf'],
  ['pdf marker only (too short)', text('%PDF-'), undefined],
  ['gif', text('GIF89a....'), undefined],
  ['webp', text('RIFF\0\0\0\0WEBPVP8 '), undefined],
  ['svg', text('<svg xmlns="http://www.w3.org/2000/svg"/>'), undefined],
  ['empty', bytes(), undefined],
];

describe('upload checks (widget/src/parts/upload.ts)', () => {
  it('has the limit of 2 MB', () => {
    expect(MAX_UPLOAD_BYTES).to.equal(2 * 1024 * 1024);
  });

  for (const [name, sample, type] of SAMPLES) {
    it(`sniffs ${name} as ${type ?? 'not accepted'}`, () => {
      expect(sniffUpload(sample)).to.equal(type);
    });
  }

  it('answers the base64 the API takes, and the server error codes for a wrong file', async () => {
    const png = new File([bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3)], 'a.png');
    expect(await readUpload(png, false)).to.deep.equal({
      data: btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3)),
    });
    const pdf = new File([text('%PDF-1.4\nx')], 'a.pdf', { type: 'application/pdf' });
    expect(await readUpload(pdf, false)).to.deep.equal({ error: { code: 'file_type_invalid' } });
    expect(await readUpload(pdf, true)).to.have.property('data');
    // named and typed as an image, but a GIF inside
    const gif = new File([text('GIF89a....')], 'a.jpg', { type: 'image/jpeg' });
    expect(await readUpload(gif, true)).to.deep.equal({ error: { code: 'file_type_invalid' } });
    const big = new File([new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(0xff)], 'big.jpg');
    expect(await readUpload(big, true)).to.deep.equal({ error: { code: 'file_too_large', params: { mb: 2 } } });
  });
});
