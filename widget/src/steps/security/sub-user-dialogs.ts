/**
 * The primary account's sub-user dialogs (docs/product.md#13-sub-users) as a step module (view.ts):
 * create (name, password under the account's policy, "MFA required"), and confirming a deletion
 * or the disassociation of a sub-user's MFA device, and a sub-user's new password (after a step-up).
 * Loaded when one first opens.
 */
import { html } from 'lit';
import { checklistStyles } from '../../parts/password-checklist.ts';
import { checkNewPassword, newPassword } from './password.ts';
import {
  checkbox,
  input,
  open,
  req,
  required,
  valid,
  value,
  type Errors,
  type OpenDialog,
  type SecurityHost,
  type SecurityView,
  type StepView,
} from './fields.ts';

export const styles = checklistStyles;

export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s) return;
  const { step, values } = s;
  const errors: Errors = {};
  if (step === 'sub_create') {
    // a new sub-user: its name, and a password under the same policy that is not that name
    required(host, 'name', errors);
    checkNewPassword(host, value(host, 'name').trim(), errors);
  }
  // an existing sub-user's new password: not its name either
  if (step === 'sub_password') checkNewPassword(host, values.name ?? '', errors);
  if (!valid(host, errors)) return;
  const id = values.id!;
  const ok = await req(host, (c) =>
    (step === 'sub_create'
      ? c.createSubUser({
          name: value(host, 'name').trim(),
          password: value(host, 'newPassword'),
          mfaRequired: !!values.mfa,
        })
      : step === 'sub_password'
        ? c.setSubUserPassword(id, value(host, 'newPassword'))
        : step === 'sub_delete'
          ? c.deleteSubUser(id)
          : c.disassociateSubUserMfa(id)
    ).then(() => true),
  );
  if (!ok) return;
  // a deleted sub-user's row is gone: "saved" shows in the sub-users section, and focus goes to its "Create" button
  if (step === 'sub_delete') host.focusAfterClose('[part~="sub-users"] [data-action="create"]');
  await host.saved(
    'sub_users',
    'security.saved',
    undefined,
    undefined,
    step === 'sub_disassociate' || step === 'sub_password' ? `sub-${id}` : 'sub-users',
  );
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  if (s.step === 'sub_create')
    return {
      body: html`${input(v, 'name', 'subuser.name', 'text', 'off')} ${newPassword(v, 'login.password', (v.values.name ?? '').trim())}
      ${checkbox(v, 'mfa', 'subuser.mfa_required')}`,
      submit: 'subuser.create',
    };
  if (s.step === 'sub_password')
    return {
      body: html`<p>${v.t('subuser.set_password_lead', { name: v.values.name ?? '' })}</p>
      ${newPassword(v, 'security.new_password', v.values.name ?? '')}`,
      submit: 'subuser.set_password',
    };
  const del = s.step === 'sub_delete';
  return {
    body: html`<p>${v.t(del ? 'subuser.delete_confirm' : 'subuser.disassociate_confirm', { name: v.values.name ?? '' })}</p>`,
    submit: del ? 'subuser.delete' : 'subuser.disassociate',
  };
}
