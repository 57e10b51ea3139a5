import { html, nothing, type TemplateResult } from 'lit';
import type { Agreement } from '../../../../shared/src/tenant.ts';
import { safeUrl, tWith } from '../../parts/text.ts';
import { CONTROL_ID, notes, status, submit, type LoginView } from './view.ts';

/**
 * Updated agreements (docs/product.md#16-agreements): each a link (safe URLs only, as at
 * registration) with its checkbox; "Accept and continue", or "Sign out".
 */
export function renderConsent(v: LoginView, agreements: Agreement[]): TemplateResult {
  const error = v.flow.fieldError('agreements');
  const errorId = `${CONTROL_ID.agreements}-error`;
  const form = html`<form part="form agreements" novalidate aria-labelledby="jd-agreements-title" @submit=${v.act.accept}>
    <div id=${CONTROL_ID.agreements} class="field" role="group" aria-labelledby="jd-agreements-title" aria-describedby="jd-agreements-intro">
      ${agreements.map((a, i) => {
        const id = `jd-agreement-${i}`;
        const title = a.title[v.locale] ?? a.title.en;
        const href = safeUrl(a.url[v.locale] ?? a.url.en);
        const link = href
          ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link">${title}</a>`
          : title;
        const checked = v.act.accepted(a.key);
        return html`<label class="choice consent" for=${id} part="label">
          <input id=${id} type="checkbox" name="agreement" value=${a.key} .checked=${checked} aria-invalid=${error && !checked ? 'true' : 'false'} aria-describedby=${error ? errorId : nothing} @change=${(e: Event) => v.act.agreement(a.key, (e.target as HTMLInputElement).checked)} /><span>${tWith(v.locale, 'register.agree', 'title', link)}</span>
        </label>`;
      })}
    </div>
    ${notes(v, 'agreements', CONTROL_ID.agreements)}
    <div class="actions">
      ${submit(v, 'accept', 'login.agreements_accept')}
      <button type="button" class="btn-secondary" part="button sign-out" ?disabled=${v.flow.isBusy()} @click=${v.act.decline}>${v.t('login.sign_out')}</button>
    </div>
    ${status(v, 'accept')}
  </form>`;
  return html`<section class="step" aria-labelledby="jd-agreements-title">
    <h2 id="jd-agreements-title" class="step-title" tabindex="-1" part="title">${v.t('login.agreements_title')}</h2>
    <p id="jd-agreements-intro" class="step-lead">${v.t('login.agreements_intro')}</p>
    ${form}
  </section>`;
}
