/**
 * Abuse protection for paid messages (docs/security.md#abuse-protection-for-paid-messages). Every
 * code sent by SMS or voice costs the tenant money and the code endpoints answer anyone holding the
 * (public) publishable key, so before a message is queued:
 *
 * 1. voice goes only to the tenant's voice regions;
 * 2. the risk signals of shared/src/abuse.ts are counted — per client, per network (/24, /48), per
 *    number prefix, per destination region, distinct phones per client, and the client's failed
 *    sign-ins across many identifiers (spraying). Past a signal's `refuse` threshold the request is
 *    refused; past `challenge` (or always, as the tenant chooses) it needs a solved captcha;
 * 3. the tenant's daily message budget is spent, one message at a time.
 *
 * All three run in the transaction that queues the message (services/verification.ts issueCode),
 * after its per-target and per-client locks: a refusal rolls every count back, and the counters are
 * rows in Postgres, so the thresholds hold across any number of BFF processes on one database.
 * The captcha ticket is verified with the provider before that transaction (a network call must not
 * hold row locks). Each decision is logged with its reason and counted for the operator (abuse_stats).
 */
import {
  RISK_WINDOW_SECONDS,
  dailyMessageBudget,
  riskThreshold,
  voiceRegions,
  type RiskSignal,
} from '../../../shared/src/abuse.ts';
import type { CaptchaAnswer } from '../../../shared/src/captcha.ts';
import { AppError, type ErrorCode, type ErrorParams } from '../../../shared/src/errors.ts';
import type { CodeDeliveryChannel } from '../../../shared/src/rules/code.ts';
import { DIAL_CODES, PHONE_REGIONS, type PhoneRegion } from '../../../shared/src/rules/phone-regions.ts';
import { captchaSecretKey, openCaptcha } from '../captcha/config.ts';
import { captchaVerifier } from '../captcha/verifier.ts';
import * as abuse from '../db/abuse.ts';
import type { ServiceDeps } from './deps.ts';
import { clientOf } from './limits.ts';
import type { Tenant } from './tenants.ts';

/** What the request's captcha answer proved: nothing sent, solved, refused (or replayed), or the provider was down. */
export type TicketOutcome = 'none' | 'pass' | 'fail' | 'unavailable';

/** A request challenged or refused by abuse protection: its answer, and why (for the log and the operator's counters). */
export class AbuseDecision extends AppError {
  constructor(
    code: ErrorCode,
    readonly outcome: 'challenged' | 'refused',
    readonly reason: string,
    params?: ErrorParams,
  ) {
    super(code, params);
  }
}

const WINDOW_MS = RISK_WINDOW_SECONDS * 1000;

/** The day a budget and the operator's counters belong to: UTC+8, the product's home time zone (no DST). */
export const budgetDay = (now: Date) => new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);

/** An IPv4 address's /24, an IPv6 address's /48: a network one party holds. */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null;
  const client = clientOf(ip);
  if (client.endsWith('::/64')) return `${client.split(':').slice(0, 3).join(':')}::/48`;
  const parts = client.split('.');
  return parts.length === 4 ? `${parts.slice(0, 3).join('.')}.0/24` : client;
}

/** The phone's region and its prefix (the dial code and the first three national digits: +86170). */
export function phoneSignals(e164: string): { region: PhoneRegion; prefix: string } | undefined {
  const region = PHONE_REGIONS.find((r) => e164.startsWith(`+${DIAL_CODES[r]}`));
  if (!region) return undefined;
  return { region, prefix: e164.slice(0, DIAL_CODES[region].length + 4) };
}

interface SignalKeys {
  client?: string;
  network?: string;
  prefix?: string;
  region?: string;
}

/**
 * A client's or network's key: a keyed hash, never the address itself — the counters outlive no
 * window by much, but an address is personal data and an erased account must leave none behind.
 */
const addressKey = (deps: Pick<ServiceDeps, 'hmac'>, kind: string, address: string | null) =>
  `${kind}:${deps.hmac(`risk\u0000${kind}\u0000${address}`).slice(0, 32)}`;

function signalKeys(deps: Pick<ServiceDeps, 'hmac'>, ip: string | null, phone?: string): SignalKeys {
  const keys: SignalKeys = {};
  if (ip) {
    keys.client = addressKey(deps, 'client', clientOf(ip));
    keys.network = addressKey(deps, 'net', networkOf(ip));
  }
  const p = phone ? phoneSignals(phone) : undefined;
  if (p) {
    keys.prefix = `prefix:${p.prefix}`;
    keys.region = `region:${p.region}`;
  }
  return keys;
}

const sprayKey = (deps: Pick<ServiceDeps, 'hmac'>, ip: string) => addressKey(deps, 'spray', clientOf(ip));

type Counts = Partial<Record<RiskSignal, { hits: number; windowStart: Date | null }>>;

/** The first signal past its `refuse` threshold, and every one past its `challenge`. */
function evaluate(deps: Pick<ServiceDeps, 'config'>, tenant: Tenant, counts: Counts) {
  let refused: { signal: RiskSignal; windowStart: Date | null } | undefined;
  const challenged: RiskSignal[] = [];
  const factor = deps.config.codes.riskFactor ?? 1;
  for (const [signal, count] of Object.entries(counts) as [RiskSignal, { hits: number; windowStart: Date | null }][]) {
    const t = riskThreshold(tenant.config.abuse, signal);
    if (count.hits > t.refuse * factor) refused ??= { signal, windowStart: count.windowStart };
    else if (count.hits > t.challenge * factor) challenged.push(signal);
  }
  return { refused, challenged };
}

function refusal(refused: { signal: RiskSignal; windowStart: Date | null }, now: Date): AbuseDecision {
  const ends = (refused.windowStart?.getTime() ?? now.getTime()) + WINDOW_MS;
  return new AbuseDecision('risk_refused', 'refused', refused.signal, {
    seconds: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)),
  });
}

/**
 * Whether a challenge is needed, and what the ticket says to it: nothing (no captcha, or no need),
 * or the decision that stops the request. An unreachable provider refuses unless the tenant chose
 * `onProviderDown: allow`.
 */
function challengeDecision(
  deps: ServiceDeps,
  tenant: Tenant,
  challenged: RiskSignal[],
  ticket: TicketOutcome,
): { passed: string } | AbuseDecision | undefined {
  const captcha = tenant.config.captcha;
  if (!captcha) return undefined;
  const reason = challenged[0] ?? (captcha.when === 'always' ? 'always' : undefined);
  if (!reason) return undefined;
  switch (ticket) {
    case 'pass':
      return { passed: reason };
    case 'none':
      return new AbuseDecision('captcha_required', 'challenged', reason);
    case 'fail':
      return new AbuseDecision('captcha_invalid', 'refused', 'captcha_invalid');
    case 'unavailable':
      if (captcha.onProviderDown === 'allow') {
        deps.log.warn('captcha provider down: code sent unchallenged', { tenant: tenant.slug, reason });
        return { passed: 'provider_down' };
      }
      return new AbuseDecision('captcha_unavailable', 'refused', 'captcha_unavailable');
  }
}

/**
 * Checks a captcha answer with the tenant's provider, once: the ticket's keyed hash is recorded
 * first, so a replayed ticket fails even where the provider would answer for it again.
 */
export async function checkTicket(
  deps: ServiceDeps,
  tenant: Tenant,
  answer: CaptchaAnswer | undefined,
  ip: string | null,
): Promise<TicketOutcome> {
  const config = tenant.config.captcha;
  if (!answer || !config) return 'none';
  const now = deps.clock.now();
  if (!(await abuse.useTicket(deps.db, tenant.id, deps.hmac(`captcha\u0000${tenant.id}\u0000${answer.ticket}`), now))) {
    deps.log.warn('captcha ticket replayed', { tenant: tenant.slug, provider: config.provider });
    return 'fail';
  }
  let opened;
  try {
    opened = openCaptcha(config, captchaSecretKey(deps.config.secret));
  } catch {
    deps.log.error('captcha secret cannot be opened with this JD_SECRET', {
      tenant: tenant.slug,
      provider: config.provider,
    });
    return 'unavailable';
  }
  const result = await captchaVerifier(opened, deps.config.captcha).verify({
    ticket: answer.ticket,
    ...(answer.randstr ? { randstr: answer.randstr } : {}),
    ip,
  });
  if (result.verdict !== 'pass')
    deps.log.warn('captcha ticket not accepted', {
      tenant: tenant.slug,
      provider: config.provider,
      verdict: result.verdict,
      reason: result.reason,
    });
  return result.verdict;
}

/** One code about to be queued: what screenCode weighs. */
export interface CodeRequest {
  target: { kind: 'phone' | 'email'; value: string };
  channel: CodeDeliveryChannel;
  ip: string | null;
  ticket: TicketOutcome;
  /** asked behind a signed-in session (step-up, contact change): never challenged, still counted and capped */
  signedIn: boolean;
}

/**
 * Screens a code in the transaction that queues it (after issueCode's per-target and per-client
 * locks). Throws an AbuseDecision to stop it — the transaction's rollback gives every count back;
 * answers the challenge it passed, if any.
 */
export async function screenCode(
  trx: Parameters<typeof abuse.countRisk>[0],
  deps: ServiceDeps,
  tenant: Tenant,
  req: CodeRequest,
): Promise<{ passed?: string }> {
  if (req.target.kind !== 'phone') return {}; // emails cost next to nothing: their daily caps suffice
  const now = deps.clock.now();
  const phone = phoneSignals(req.target.value);
  if (req.channel === 'voice' && (!phone || !voiceRegions(tenant.config.abuse).includes(phone.region)))
    throw new AbuseDecision('voice_region_not_allowed', 'refused', 'voice_region');
  const keys = signalKeys(deps, req.ip, req.target.value);
  const counted = await abuse.countRisk(trx, tenant.id, Object.values(keys) as string[], RISK_WINDOW_SECONDS, now);
  const counts: Counts = {};
  for (const signal of ['client', 'network', 'prefix', 'region'] as const) {
    const key = keys[signal];
    const c = key ? counted.get(key) : undefined;
    if (c) counts[signal] = c;
  }
  if (req.ip) {
    const since = new Date(now.getTime() - WINDOW_MS);
    const targets = await abuse.distinctTargetsFromClient(trx, tenant.id, clientOf(req.ip), since);
    counts.phones = {
      hits: targets.length + (targets.includes(req.target.value) ? 0 : 1),
      windowStart: null,
    };
    const spray = (await abuse.peekRisk(trx, tenant.id, [sprayKey(deps, req.ip)], RISK_WINDOW_SECONDS, now)).get(
      sprayKey(deps, req.ip),
    );
    if (spray) counts.spray = spray;
  }
  const { refused, challenged } = evaluate(deps, tenant, counts);
  if (refused) throw refusal(refused, now);
  const decision = req.signedIn ? undefined : challengeDecision(deps, tenant, challenged, req.ticket);
  if (decision instanceof AbuseDecision) throw decision;
  // RATE_LIMIT_FACTOR (load tests) may lift it past the counter's integer column: clamp
  const budget = Math.min(2_000_000_000, dailyMessageBudget(tenant.config.abuse) * (deps.config.codes.riskFactor ?? 1));
  if (!(await abuse.spendBudget(trx, tenant.id, budgetDay(now), budget))) {
    deps.log.error('daily message budget spent: codes refused until tomorrow (UTC+8)', {
      tenant: tenant.slug,
      budget,
    });
    throw new AbuseDecision('code_budget_exhausted', 'refused', 'budget');
  }
  return decision ? { passed: decision.passed } : {};
}

/**
 * A look before an anonymous code request is answered (unlock, forgot password, phone-code
 * sign-in answer at once and issue their code later, where a challenge could no longer reach the
 * user): the client's and network's counts so far, the phone's when it is known, and spraying.
 * Refuses or asks for a captcha as screenCode would, and answers what the ticket proved for the
 * real count in screenCode. A look, not a count: screenCode's count is the one a burst cannot pass.
 */
export async function screenAnonymousRequest(
  deps: ServiceDeps,
  tenant: Tenant,
  input: { ip: string | null; phone?: string; captcha?: CaptchaAnswer | undefined },
): Promise<TicketOutcome> {
  const now = deps.clock.now();
  const keys = signalKeys(deps, input.ip, input.phone);
  const all = [...(Object.values(keys) as string[]), ...(input.ip ? [sprayKey(deps, input.ip)] : [])];
  const seen = await abuse.peekRisk(deps.db, tenant.id, all, RISK_WINDOW_SECONDS, now);
  const counts: Counts = {};
  for (const signal of ['client', 'network', 'prefix', 'region'] as const) {
    const key = keys[signal];
    const c = key ? seen.get(key) : undefined;
    // the request itself would be one more
    if (key) counts[signal] = { hits: (c?.hits ?? 0) + 1, windowStart: c?.windowStart ?? now };
  }
  const spray = input.ip ? seen.get(sprayKey(deps, input.ip)) : undefined;
  if (spray) counts.spray = spray;
  const { refused, challenged } = evaluate(deps, tenant, counts);
  try {
    if (refused) throw refusal(refused, now);
    const ticket = await checkTicket(deps, tenant, input.captcha, input.ip);
    const decision = challengeDecision(deps, tenant, challenged, ticket);
    if (decision instanceof AbuseDecision) throw decision;
    return ticket;
  } catch (err) {
    if (err instanceof AbuseDecision) await recordDecision(deps, tenant, err);
    throw err;
  }
}

/** Logs a decision with its reason and counts it for the operator. */
export async function recordDecision(deps: ServiceDeps, tenant: Tenant, decision: AbuseDecision): Promise<void> {
  deps.log.warn(`code request ${decision.outcome}`, {
    tenant: tenant.slug,
    reason: decision.reason,
    code: decision.code,
  });
  await abuse.countOutcome(deps.db, tenant.id, budgetDay(deps.clock.now()), decision.outcome, decision.reason);
}

let sweepCountdown = 0;

/** Counts a queued message for the operator (and the challenge it passed); now and then sweeps lapsed counters. */
export async function recordSent(
  deps: ServiceDeps,
  tenant: Tenant,
  channel: CodeDeliveryChannel,
  passed: string | undefined,
): Promise<void> {
  const day = budgetDay(deps.clock.now());
  await abuse.countOutcome(deps.db, tenant.id, day, 'sent', channel);
  if (passed) await abuse.countOutcome(deps.db, tenant.id, day, 'passed', passed);
  if (--sweepCountdown <= 0) {
    sweepCountdown = 500;
    await abuse.sweepAbuse(deps.db, new Date(deps.clock.now().getTime() - 2 * 24 * 3600 * 1000));
  }
}

/**
 * A failed sign-in from a client, for the spraying signal: counted once per identifier and client
 * in the window (distinct identifiers, not tries — one user mistyping a password is not spraying).
 */
export async function noteSignInFailure(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'hmac'>,
  tenantId: string,
  subject: string,
  ip: string | null,
): Promise<void> {
  if (!ip) return;
  const now = deps.clock.now();
  const seenKey = `seen:${deps.hmac(`spray\u0000${clientOf(ip)}\u0000${subject}`).slice(0, 32)}`;
  const seen = await abuse.countRisk(deps.db, tenantId, [seenKey], RISK_WINDOW_SECONDS, now);
  if (seen.get(seenKey)?.hits === 1)
    await abuse.countRisk(deps.db, tenantId, [sprayKey(deps, ip)], RISK_WINDOW_SECONDS, now);
}

/** Whether a client is past the spraying thresholds: refused, or (with a captcha) challenged at sign-in. */
export async function screenSignIn(
  deps: ServiceDeps,
  tenant: Tenant,
  input: { ip: string | null; captcha?: CaptchaAnswer | undefined },
): Promise<void> {
  if (!input.ip) return;
  const now = deps.clock.now();
  const spray = (await abuse.peekRisk(deps.db, tenant.id, [sprayKey(deps, input.ip)], RISK_WINDOW_SECONDS, now)).get(
    sprayKey(deps, input.ip),
  );
  if (!spray) return;
  const { refused, challenged } = evaluate(deps, tenant, { spray });
  try {
    if (refused) throw refusal(refused, now);
    if (!challenged.length || !tenant.config.captcha) return;
    const ticket = await checkTicket(deps, tenant, input.captcha, input.ip);
    const decision = challengeDecision(deps, tenant, challenged, ticket);
    if (decision instanceof AbuseDecision) throw decision;
  } catch (err) {
    if (err instanceof AbuseDecision) await recordDecision(deps, tenant, err);
    throw err;
  }
}

/** The operator's view: per day, codes sent (by channel), challenged, passed and refused (by reason), and the budget. */
export async function abuseReport(deps: Pick<ServiceDeps, 'db' | 'clock'>, tenant: Tenant, days: number) {
  const now = deps.clock.now();
  const from = budgetDay(new Date(now.getTime() - (days - 1) * 24 * 3600 * 1000));
  const rows = await abuse.outcomesSince(deps.db, tenant.id, from);
  type Day = Record<'sent' | 'challenged' | 'passed' | 'refused', Record<string, number>>;
  const byDay = new Map<string, Day>();
  for (const r of rows) {
    const day = byDay.get(r.day) ?? { sent: {}, challenged: {}, passed: {}, refused: {} };
    day[r.outcome][r.reason] = r.count;
    byDay.set(r.day, day);
  }
  const today = budgetDay(now);
  return {
    today: {
      day: today,
      budget: dailyMessageBudget(tenant.config.abuse),
      spent: await abuse.budgetSpent(deps.db, tenant.id, today),
    },
    days: [...byDay.entries()].map(([day, counts]) => ({ day, ...counts })),
  };
}
