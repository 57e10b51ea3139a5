import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { AppConfig } from '../config.ts';

/** Password hashing behind an interface, so an edge build can swap the native argon2 binding. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /** spends the same time as a real verify; used when the account does not exist */
  verifyDummy(password: string): Promise<void>;
}

export function argon2Hasher(cost: AppConfig['argon2']): PasswordHasher {
  // Algorithm.Argon2id is an ambient const enum (value 2), which verbatimModuleSyntax cannot import.
  const options = { algorithm: 2 as Algorithm, ...cost };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    verify: async (hashed, password) => {
      try {
        return await verify(hashed, password, options);
      } catch {
        return false;
      }
    },
    async verifyDummy(password) {
      dummy ??= hash('dummy-password-for-timing', options);
      await verify(await dummy, password, options).catch(() => false);
    },
  };
}
