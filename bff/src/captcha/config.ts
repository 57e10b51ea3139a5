/**
 * A tenant's captcha setting as the operator changes it (tenant CLI, admin API): the patch of
 * shared/src/captcha.ts with its secrets sealed (a secret left out keeps the stored one of the same
 * provider), read back without a secret, opened for a verification, and the part a widget reads.
 */
import {
  CAPTCHA_SCRIPT_URLS,
  type CaptchaConfig,
  type CaptchaPatch,
  type CaptchaProvider,
  type CaptchaPublic,
} from '../../../shared/src/captcha.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { deriveKey, seal, unseal } from '../crypto.ts';
import type { OpenedCaptcha } from './verifier.ts';

/** The key sealing captcha secrets at rest. */
export const captchaSecretKey = (secret: string) => deriveKey(secret, 'captcha-secret');

export function mergeCaptcha(
  current: CaptchaConfig | undefined,
  patch: NonNullable<CaptchaPatch>,
  key: Buffer,
): CaptchaConfig {
  const same = current?.provider === patch.provider ? current : undefined;
  const sealed = (given: string | undefined, kept: string | undefined, field: string): string => {
    if (given) return seal(key, given);
    if (kept) return kept;
    throw new AppError('invalid_input', undefined, [{ path: `captcha.${field}`, code: 'required' }]);
  };
  const common = { when: patch.when, ...(patch.onProviderDown ? { onProviderDown: patch.onProviderDown } : {}) };
  switch (patch.provider) {
    case 'tencent': {
      const kept = same?.provider === 'tencent' ? same : undefined;
      return {
        provider: 'tencent',
        ...common,
        captchaAppId: patch.captchaAppId,
        secretId: patch.secretId,
        sealedAppSecretKey: sealed(patch.appSecretKey, kept?.sealedAppSecretKey, 'appSecretKey'),
        sealedSecretKey: sealed(patch.secretKey, kept?.sealedSecretKey, 'secretKey'),
      };
    }
    case 'aliyun': {
      const kept = same?.provider === 'aliyun' ? same : undefined;
      return {
        provider: 'aliyun',
        ...common,
        sceneId: patch.sceneId,
        prefix: patch.prefix,
        accessKeyId: patch.accessKeyId,
        sealedAccessKeySecret: sealed(patch.accessKeySecret, kept?.sealedAccessKeySecret, 'accessKeySecret'),
      };
    }
    case 'turnstile': {
      const kept = same?.provider === 'turnstile' ? same : undefined;
      return {
        provider: 'turnstile',
        ...common,
        siteKey: patch.siteKey,
        sealedSecretKey: sealed(patch.secretKey, kept?.sealedSecretKey, 'secretKey'),
      };
    }
  }
}

/** The setting as an operator reads it back: whether each secret is set, never a secret. */
export function captchaView(config: CaptchaConfig | undefined): Record<string, unknown> | undefined {
  if (!config) return undefined;
  const view: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k.startsWith('sealed')) view[`${k.charAt(6).toLowerCase()}${k.slice(7)}Set`] = Boolean(v);
    else view[k] = v;
  }
  return view;
}

/** The secrets opened for a verification; a secret sealed under another JD_SECRET throws (the operator's to fix). */
export function openCaptcha(config: CaptchaConfig, key: Buffer): OpenedCaptcha {
  switch (config.provider) {
    case 'tencent':
      return {
        provider: 'tencent',
        captchaAppId: config.captchaAppId,
        secretId: config.secretId,
        appSecretKey: unseal(key, config.sealedAppSecretKey),
        secretKey: unseal(key, config.sealedSecretKey),
      };
    case 'aliyun':
      return {
        provider: 'aliyun',
        sceneId: config.sceneId,
        accessKeyId: config.accessKeyId,
        accessKeySecret: unseal(key, config.sealedAccessKeySecret),
      };
    case 'turnstile':
      return { provider: 'turnstile', siteKey: config.siteKey, secretKey: unseal(key, config.sealedSecretKey) };
  }
}

/** What a widget reads: the script to load (the operator may replace the provider's) and the public key. */
export function captchaPublic(
  config: CaptchaConfig | undefined,
  scripts: Partial<Record<CaptchaProvider, string>> = {},
): CaptchaPublic | undefined {
  if (!config) return undefined;
  const scriptUrl = scripts[config.provider] ?? CAPTCHA_SCRIPT_URLS[config.provider];
  switch (config.provider) {
    case 'tencent':
      return { provider: 'tencent', scriptUrl, siteKey: config.captchaAppId };
    case 'aliyun':
      return { provider: 'aliyun', scriptUrl, siteKey: config.sceneId, prefix: config.prefix };
    case 'turnstile':
      return { provider: 'turnstile', scriptUrl, siteKey: config.siteKey };
  }
}
