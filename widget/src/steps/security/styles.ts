/**
 * What <jd-security-settings> shows at once (styles.css): the rows, the sub-users, the events and
 * the modal dialog's frame. What only a dialog step needs comes with its step module (the recovery
 * codes' grid, recovery-codes.css, with mfa-bind.ts; the password checklist with password.ts and
 * sub-user-dialogs.ts).
 */
import securityStyles from './styles.css.ts';

export { securityStyles };
