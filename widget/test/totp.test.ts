import { expect } from '@open-wc/testing';
import { base32Decode, totp } from './totp.ts';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below), 8 digits
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('test helper: TOTP (RFC 6238)', () => {
  it('decodes base32', () => {
    expect(new TextDecoder().decode(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq'))).to.equal(
      '12345678901234567890',
    );
  });

  it('matches the RFC 6238 test vectors', async () => {
    expect(await totp(SEED, 59_000, 8)).to.equal('94287082');
    expect(await totp(SEED, 1_111_111_109_000, 8)).to.equal('07081804');
    expect(await totp(SEED, 2_000_000_000_000, 8)).to.equal('69279037');
    expect(await totp(SEED, 20_000_000_000_000, 8)).to.equal('65353130');
    expect(await totp(SEED, 59_000)).to.equal('287082');
  });
});
