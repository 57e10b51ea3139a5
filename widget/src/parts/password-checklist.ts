/**
 * The live password checklist: renders shared `passwordChecklist()` (the code the BFF runs) as a
 * list with a met/unmet state per rule. A template helper rather than its own element so the
 * password input can point at it with aria-describedby (ids do not cross shadow roots).
 */
import { html, type TemplateResult } from 'lit';
import { t, type Locale, type MessageKey } from '../../../shared/src/i18n/index.ts';
import { passwordChecklist, type PasswordPolicy } from '../../../shared/src/rules/password.ts';
import checklistStyles from './password-checklist.css.ts';

export function renderPasswordChecklist(
  id: string,
  locale: Locale,
  password: string,
  policy: PasswordPolicy,
  accountName: string,
): TemplateResult {
  const items = passwordChecklist(password, policy, accountName);
  return html`<ul id=${id} class="checklist" part="checklist" aria-label=${t(locale, 'register.password_rules')}>
    ${items.map(
      (item) =>
        html`<li data-rule=${item.id} ?data-met=${item.met} part=${item.met ? 'checklist-item checklist-item-met' : 'checklist-item checklist-item-unmet'}>
          ${t(locale, `checklist.${item.id}` as MessageKey, item.params)}<span class="sr-only">(${t(locale, item.met ? 'checklist.met' : 'checklist.unmet')})</span>
        </li>`,
    )}
  </ul>`;
}

/** The password rules' live checklist. */
export { checklistStyles };
