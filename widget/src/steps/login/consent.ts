/**
 * Updated agreements (docs/product.md#16-agreements) as a step module (view.ts): each a link (safe
 * URLs only, as at registration) with its checkbox; "Accept and continue", or "Sign out".
 */
import { html, nothing, type TemplateResult } from 'lit';
import { choiceStyles } from '../../parts/choice.ts';
import { safeUrl, tWith } from '../../parts/text.ts';
import { CONTROL_ID, notes, status, submit, type LoginHost, type LoginView } from './view.ts';

export const styles = choiceStyles;

function check(host: LoginHost, key: string, checked: boolean): void {
  const cur = host.flow.state;
  if (cur.step !== 'consent') return;
  const accepted = new Set(cur.accepted);
  if (checked) accepted.add(key);
  else accepted.delete(key);
  host.flow.patch({ accepted });
  if (cur.agreements.every((a) => accepted.has(a.key))) host.flow.clearField('agreements');
}

/** "Accept and continue": every agreement checked (as at registration), then POST /v1/consents. */
async function accept(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  const cur = host.flow.state;
  if (!host.client || cur.step !== 'consent') return;
  if (
    !cur.agreements.every((a) => cur.accepted.has(a.key)) &&
    host.invalid({ agreements: { code: 'agreements_required' } })
  )
    return;
  const client = host.client;
  const answer = await host.run(
    'accept',
    () => client.acceptAgreements(cur.agreements.map((a) => ({ key: a.key, version: a.version }))),
    (err) => {
      if (err.code === 'not_signed_in') {
        host.store?.set(null);
        return host.restart(err);
      }
      // e.g. 400 agreements_required: a version is no longer the current one
      if (err.code === 'agreements_required')
        host.flow.setFieldError('agreements', { code: err.code, params: err.params });
      return false;
    },
  );
  // what is still missing (a version published meanwhile) is asked next; else signed in, on the whole page
  if (answer)
    await host.asOwn(() => host.store?.set({ ...cur.signedIn, agreementsToAccept: answer.agreementsToAccept }));
}

/** "Sign out" instead of accepting: ends the (full) session; `jd-logout` follows (the element's sessionChanged). */
async function decline(host: LoginHost): Promise<void> {
  if (host.flow.isBusy()) return;
  await host.run('accept', () => host.signOut());
}

export function renderConsent(v: LoginView): TemplateResult {
  const cur = v.flow.state;
  if (cur.step !== 'consent') return html``;
  const { agreements, accepted } = cur;
  const error = v.flow.fieldError('agreements');
  const errorId = `${CONTROL_ID.agreements}-error`;
  const form = html`<form part="form agreements" novalidate aria-labelledby="jd-agreements-title" @submit=${(e: Event) => void accept(v.host, e)}>
    <div id=${CONTROL_ID.agreements} class="field" role="group" aria-labelledby="jd-agreements-title" aria-describedby="jd-agreements-intro">
      ${agreements.map((a, i) => {
        const id = `jd-agreement-${i}`;
        const title = a.title[v.locale] ?? a.title.en;
        const href = safeUrl(a.url[v.locale] ?? a.url.en);
        const link = href
          ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link">${title}</a>`
          : title;
        const checked = accepted.has(a.key);
        return html`<label class="choice consent" for=${id} part="label">
          <input id=${id} type="checkbox" name="agreement" value=${a.key} .checked=${checked} aria-invalid=${error && !checked ? 'true' : 'false'} aria-describedby=${error ? errorId : nothing} @change=${(e: Event) => check(v.host, a.key, (e.target as HTMLInputElement).checked)} /><span>${tWith(v.locale, 'register.agree', 'title', link)}</span>
        </label>`;
      })}
    </div>
    ${notes(v, 'agreements', CONTROL_ID.agreements)}
    <div class="actions">
      ${submit(v, 'accept', 'login.agreements_accept')}
      <button type="button" class="btn-secondary" part="button sign-out" ?disabled=${v.flow.isBusy()} @click=${() => void decline(v.host)}>${v.t('login.sign_out')}</button>
    </div>
    ${status(v, 'accept')}
  </form>`;
  return html`<section class="step" aria-labelledby="jd-agreements-title">
    <h2 id="jd-agreements-title" class="step-title" tabindex="-1" part="title">${v.t('login.agreements_title')}</h2>
    <p id="jd-agreements-intro" class="step-lead">${v.t('login.agreements_intro')}</p>
    ${form}
  </section>`;
}
