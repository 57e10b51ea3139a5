import { html, nothing } from 'lit';
import type { SecurityOverview, StepUpMethod } from '../../../../shared/src/api.ts';
import { renderChoice } from '../../parts/choice.ts';
import { renderCannotUse, renderStepUpSupport } from './support.ts';
import { channelChoice, codeInput, type SecurityView, type StepView } from './view.ts';

/**
 * Verifying the user's identity before a change (docs/product.md#10-changing-identity-verification-methods):
 * the methods left (a code to the security phone, by SMS or voice, or email; or the MFA app's code,
 * asked for at once), and "I can't use any of these" under them.
 */
export function renderMethod(v: SecurityView, o: SecurityOverview): StepView {
  const label = (m: StepUpMethod): [StepUpMethod, string] => [
    m,
    m === 'totp'
      ? v.t('security.method_totp')
      : v.t(`security.method_${m}`, { to: (m === 'phone' ? o.securityPhone : o.securityEmail)?.value ?? '' }),
  ];
  return {
    body: html`${renderChoice('method', v.t('security.step_up_intro'), o.stepUpMethods.map(label), v.method, (m) => v.act.set('method', m))}
      ${v.method === 'phone' ? channelChoice(v) : v.method === 'totp' ? codeInput(v, true) : nothing}
      ${renderCannotUse(v.locale, v.act.support)}`,
    submit: v.method === 'totp' ? 'security.next' : 'register.send_code',
  };
}

/** The step-up code sent to the security phone or email. */
export function renderStepUpCode(v: SecurityView): StepView {
  return { body: codeInput(v, false), submit: 'security.next' };
}

/** No method left, or none the user can use: the tenant's support channels. */
export function renderSupportStep(v: SecurityView, o: SecurityOverview): StepView {
  return { body: renderStepUpSupport(v.locale, o.supportChannels, !o.stepUpMethods.length) };
}
