/**
 * Linked accounts (docs/product.md#25-sign-in-with-an-upstream-account) as a step module (view.ts),
 * loaded when one of its dialogs first opens — each after a step-up:
 * - fed_link: "you will be taken to {provider}", Continue → POST /v1/federation/:provider/link →
 *   the page goes to the answer's start URL (it comes back with `#jd_federation=…`, which the
 *   element resumes: jd-security-settings.ts);
 * - fed_unlink: confirm, → DELETE /v1/federation/links/:provider; a refusal (federation_last_method)
 *   is said next to that provider's row, the dialog closed;
 * - credentials: an account created upstream sets its account name (the registration's rules, and
 *   its availability asked before the request) and password (the live checklist) →
 *   POST /v1/account/credentials.
 */
import { html } from 'lit';
import { ACCOUNT_NAME_MAX, ACCOUNT_NAME_MIN, accountNameProblems } from '../../../../shared/src/rules/account-name.ts';
import type { FlowStatus } from '../../flow.ts';
import { federationNavigation, returnTo } from '../../parts/federation.ts';
import { federationError, providerName, takeFederationReturn } from '../../parts/federation-return.ts';
import { checkNewPassword, newPassword, styles } from './password.ts';
import {
  input,
  open,
  req,
  valid,
  value,
  type Errors,
  type OpenDialog,
  type SecurityHost,
  type SecurityView,
  type StepView,
} from './fields.ts';

export { styles };

/** The provider's name in the element's locale: the links' own names first, then the tenant config's. */
function nameOf(host: SecurityHost | SecurityView, id: string, locale: 'zh-CN' | 'en'): string {
  const p = host.page.state;
  const links = p.step === 'primary' ? p.links : undefined;
  const known = [
    ...(links?.links ?? []).map((l) => ({ id: l.provider, displayName: l.displayName })),
    ...(links?.available ?? []),
  ];
  const found = known.find((x) => x.id === id);
  return found ? (found.displayName[locale] ?? found.displayName.en) : providerName(host.config, locale, id);
}

/**
 * Back from "Link" (the page's URL has `#jd_federation=…` or `#jd_federation_error=…`): taken here
 * unless another element did first, resumed — `{ linked }`: the list again and "linked" under it;
 * an error (e.g. federation_identity_taken) says why there.
 */
export async function resumeLink(host: SecurityHost): Promise<void> {
  const back = takeFederationReturn();
  const client = host.client;
  if (!back || !client) return;
  const locale = client.locale;
  const id = host.overview?.account.id;
  const say = (s: FlowStatus) => {
    host.page.setStatus('row-federation', s);
    host.say(s);
  };
  const refused = (code: string, params?: FlowStatus['params']) =>
    say(federationError(host.config, locale, code, params, (p) => nameOf(host, p, locale)));
  if ('error' in back) return refused(back.error);
  try {
    const answer = await client.federationResume(back.handle);
    if (host.overview?.account.id !== id || !('linked' in answer)) return;
    await host.refresh();
    say({
      tone: 'ok',
      key: 'federation.done_link',
      params: { provider: nameOf(host, answer.linked.provider, locale) },
    });
    host.emit('jd-security-change', { what: 'federation', overview: host.overview });
  } catch (e) {
    const { err } = host.report(e);
    if (host.overview?.account.id === id) refused(err.code, err.params);
  }
}

export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s) return;
  const locale = host.client?.locale ?? 'zh-CN';
  const provider = s.values.provider ?? '';
  if (s.step === 'fed_link') {
    const started = await req(host, (c) => c.federationLink(provider, returnTo()));
    if (started) federationNavigation.assign(started.startUrl);
    return;
  }
  if (s.step === 'fed_unlink') {
    const done = await req(host, async (c) => (await c.federationUnlink(provider), true));
    const name = nameOf(host, provider, locale);
    if (done)
      return host.saved('federation', 'federation.done_unlink', undefined, { provider: name }, `fed-${provider}`);
    // refused (e.g. the only way to sign in): said next to the row's action; a lapsed step-up stays in the dialog
    const after = open(host);
    const said = host.dlg.statusOf('dialog');
    if (after?.step === 'fed_unlink' && said) {
      host.closeDialog();
      host.page.setStatus(`row-fed-${provider}`, said);
    }
    return;
  }
  const accountName = value(host, 'name').trim();
  const errors: Errors = {};
  const problem = accountNameProblems(accountName)[0];
  if (problem)
    errors.name = {
      code: problem,
      params: problem === 'account_name_too_short' ? { min: ACCOUNT_NAME_MIN } : { max: ACCOUNT_NAME_MAX },
    };
  checkNewPassword(host, accountName, errors);
  if (!valid(host, errors)) return;
  // registration's rule: a name taken is said at the name before anything is sent
  const available = await req(host, (c) => c.accountNameAvailable(accountName));
  if (available === undefined) return;
  if (!available) return void valid(host, { name: { code: 'account_name_taken' } });
  const r = await req(host, (c) => c.setCredentials({ accountName, password: value(host, 'newPassword') }));
  // the password row takes the credentials row's place: the note shows there
  if (r) await host.saved('credentials', 'federation.done_credentials', undefined, undefined, 'password');
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  const provider = nameOf(v, s.values.provider ?? '', v.locale);
  if (s.step === 'fed_link')
    return { body: html`<p>${v.t('federation.lead_link', { provider })}</p>`, submit: 'federation.continue' };
  if (s.step === 'fed_unlink')
    return { body: html`<p>${v.t('federation.lead_unlink', { provider })}</p>`, submit: 'federation.unlink' };
  return {
    body: html`<p class="hint">${v.t('federation.lead_credentials')}</p>
      ${input(v, 'name', 'register.account_name', 'text', 'username')}
      ${newPassword(v, 'register.password', (v.values.name ?? '').trim())}`,
    submit: 'security.confirm',
  };
}
