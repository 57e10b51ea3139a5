/**
 * Abuse protection for paid messages (docs/security.md#abuse-protection-for-paid-messages): the
 * risk signals a code request is measured by, their default thresholds, and a tenant's `abuse`
 * setting (thresholds, daily budget, voice regions) as the operator gives it in the tenant config
 * patch and as it is stored. The decisions are the BFF's (bff/src/services/abuse.ts).
 *
 * Every signal counts code requests that went through, per tenant, in a one-hour window. Past
 * `challenge` a request needs a solved captcha (when the tenant has a provider); past `refuse` it
 * is refused whatever it carries.
 */
import { z } from 'zod';
import { PHONE_REGIONS, type PhoneRegion } from './rules/phone-regions.ts';

export const RISK_SIGNALS = [
  /** code requests from one client (an IPv4 address, an IPv6 /64) */
  'client',
  /** code requests from one network (an IPv4 /24, an IPv6 /48) */
  'network',
  /** code requests to one number prefix (the dial code and the first three national digits: +86 170) */
  'prefix',
  /** code requests to one destination region (CN, HK, MO, TW) */
  'region',
  /** distinct phones one client asked codes for */
  'phones',
  /** distinct identifiers one client failed to sign in as (password spraying) */
  'spray',
] as const;
export type RiskSignal = (typeof RISK_SIGNALS)[number];

/** Every signal's window. */
export const RISK_WINDOW_SECONDS = 3600;

export interface RiskThreshold {
  challenge: number;
  refuse: number;
}

/** The defaults: a person asks a few codes an hour; a family or an office shares a network. */
/**
 * The defaults. A person asks a few codes an hour; but a family, an office or a mobile carrier's
 * NAT (common in mainland China) shares one address, so the refusals leave room and the challenge
 * (when the tenant has a captcha) comes early.
 */
export const DEFAULT_RISK_THRESHOLDS: Record<RiskSignal, RiskThreshold> = {
  client: { challenge: 5, refuse: 60 },
  network: { challenge: 20, refuse: 300 },
  prefix: { challenge: 30, refuse: 300 },
  region: { challenge: 300, refuse: 3000 },
  phones: { challenge: 3, refuse: 20 },
  spray: { challenge: 5, refuse: 30 },
};

/** Messages (SMS and voice) a tenant may send per day (UTC+8) unless it sets its own budget. */
export const DEFAULT_DAILY_MESSAGE_BUDGET = 10_000;

/** Voice codes: mainland China only unless the tenant says otherwise (Tencent VMS is mainland-only). */
export const DEFAULT_VOICE_REGIONS: readonly PhoneRegion[] = ['CN'];

const threshold = z
  .object(
    {
      challenge: z.int({ error: 'invalid_input' }).min(0, { error: 'invalid_input' }).max(1_000_000),
      refuse: z.int({ error: 'invalid_input' }).min(1, { error: 'invalid_input' }).max(1_000_000),
    },
    { error: 'invalid_input' },
  )
  .strict()
  .refine((t) => t.challenge <= t.refuse, { error: 'invalid_input', path: ['challenge'] });

/** `abuse` in a tenant config patch: each key optional, merged into what is stored. */
export const abusePatch = z
  .object(
    {
      thresholds: z
        .object(
          Object.fromEntries(RISK_SIGNALS.map((s) => [s, threshold.optional()])) as Record<
            RiskSignal,
            z.ZodOptional<typeof threshold>
          >,
          { error: 'invalid_input' },
        )
        .strict(),
      /** messages per day; null: the default */
      dailyBudget: z.int({ error: 'invalid_input' }).min(0).max(100_000_000).nullable(),
      voiceRegions: z
        .array(z.enum(PHONE_REGIONS, { error: 'phone_region_not_allowed' }))
        .refine((r) => new Set(r).size === r.length, { error: 'invalid_input' }),
    },
    { error: 'invalid_input' },
  )
  .partial()
  .strict();
export type AbusePatch = z.infer<typeof abusePatch>;

export interface AbuseConfig {
  thresholds?: Partial<Record<RiskSignal, RiskThreshold>>;
  dailyBudget?: number;
  voiceRegions?: PhoneRegion[];
}

export function mergeAbuse(current: AbuseConfig | undefined, patch: AbusePatch): AbuseConfig {
  const next: AbuseConfig = { ...current };
  if (patch.thresholds) next.thresholds = { ...current?.thresholds, ...stripUndefined(patch.thresholds) };
  if (patch.dailyBudget === null) delete next.dailyBudget;
  else if (patch.dailyBudget !== undefined) next.dailyBudget = patch.dailyBudget;
  if (patch.voiceRegions) next.voiceRegions = patch.voiceRegions;
  return next;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const riskThreshold = (config: AbuseConfig | undefined, signal: RiskSignal): RiskThreshold =>
  config?.thresholds?.[signal] ?? DEFAULT_RISK_THRESHOLDS[signal];

export const dailyMessageBudget = (config: AbuseConfig | undefined): number =>
  config?.dailyBudget ?? DEFAULT_DAILY_MESSAGE_BUDGET;

export const voiceRegions = (config: AbuseConfig | undefined): readonly PhoneRegion[] =>
  config?.voiceRegions ?? DEFAULT_VOICE_REGIONS;
