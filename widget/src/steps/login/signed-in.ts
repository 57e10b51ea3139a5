import { html, type TemplateResult } from 'lit';
import type { SignedIn } from '../../../../shared/src/api.ts';
import { status, step, type LoginView } from './view.ts';

/** Who is signed in, and "Sign out". */
export function renderSignedIn(v: LoginView, s: SignedIn): TemplateResult {
  const sub = s.account.subUser;
  // an account created through an upstream provider may have no name yet: its masked phone (or email) instead
  const name = s.account.accountName ?? s.account.phone ?? s.account.email ?? '';
  const who = sub ? v.t('subuser.signed_in_as', { sub: sub.name, primary: name }) : v.t('login.signed_in_as', { name });
  const busy = v.flow.isBusy('signOut');
  return step(
    'jd-login-title',
    v.t('login.title'),
    html`<p id="jd-signed-in" part="signed-in">${who}</p>
    ${status(v, 'notice')}
    <div class="actions">
      <button type="button" class="btn-secondary" part="button sign-out" aria-describedby="jd-signed-in" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${v.act.signOut}>${v.t('login.sign_out')}</button>
    </div>
    ${status(v, 'signOut')}`,
  );
}
