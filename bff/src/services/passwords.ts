import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { AppConfig } from '../config.ts';
import { COMMON_PASSWORDS } from '../../../shared/src/rules/common-passwords.ts';
import { normalizePassword } from '../../../shared/src/rules/password.ts';

/**
 * Password hashing behind an interface, so an edge build can swap the native argon2 binding.
 * Plain functions, not methods (no `this`): a caller may take one out and call it on its own.
 */
export interface PasswordHasher {
  hash: (password: string) => Promise<string>;
  /** false, after the time of a real verify, for an account with no password (created upstream) */
  verify: (hashed: string | null, password: string) => Promise<boolean>;
  /** spends the same time as a real verify; used when the account does not exist */
  verifyDummy: (password: string) => Promise<void>;
}

export function argon2Hasher(cost: AppConfig['argon2']): PasswordHasher {
  // Algorithm.Argon2id is an ambient const enum (value 2), which verbatimModuleSyntax cannot import.
  const options = { algorithm: 2 as Algorithm, ...cost };
  let dummy: Promise<string> | undefined;
  const verifyDummy = async (password: string) => {
    dummy ??= hash('dummy-password-for-timing', options);
    await verify(await dummy, normalizePassword(password), options).catch(() => false);
  };
  return {
    // NFKC before hashing and before every check (shared/src/rules/password.ts normalizePassword):
    // the identity on printable ASCII, so hashes made before normalisation still verify.
    hash: (password) => hash(normalizePassword(password), options),
    async verify(hashed, password) {
      if (hashed === null) {
        await verifyDummy(password);
        return false;
      }
      try {
        return await verify(hashed, normalizePassword(password), options);
      } catch {
        return false;
      }
    },
    verifyDummy,
  };
}

let commonPasswords: Promise<ReadonlySet<string>> | undefined;

/**
 * The server's blocklist (docs/product.md#2-passwords: every preset refuses common passwords):
 * the ranked list of @zxcvbn-ts/language-common (~49,000 leaked passwords,
 * lower case) plus the small list the widget also ships. Imported on first use, so neither the
 * widget bundle nor a BFF that never sees a new password pays for it; kept for the process's life
 * (static data, not state).
 */
export function commonPasswordList(): Promise<ReadonlySet<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => {
    const set = new Set<string>(COMMON_PASSWORDS);
    for (const p of dictionary['passwords-common']) set.add(p.toLowerCase());
    return set;
  });
  commonPasswords.catch(() => (commonPasswords = undefined)); // a failed load is retried, not remembered
  return commonPasswords;
}

/** Case-insensitive, on the normalised form the hash is made of. */
export async function isCommonPasswordOnServer(password: string): Promise<boolean> {
  return (await commonPasswordList()).has(normalizePassword(password).toLowerCase());
}
