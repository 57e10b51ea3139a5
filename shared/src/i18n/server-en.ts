/**
 * English texts the BFF sends or renders itself (messages to users, the email-link page). Kept
 * apart from en.ts so the widget bundle does not carry them.
 */
export const serverEn = {
  'message.register_code_sms':
    '[{tenant}] Your registration code is {code}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.register_code_voice':
    'Your {tenant} registration code is {spokenCode}. Again: {spokenCode}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.email_verify_subject': '[{tenant}] Verify your email',
  'message.email_verify_text': 'Open this link within 2 hours to verify your email for {tenant}: {link}',
  'page.federation_expired.title': 'This sign-in has expired',
  'page.federation_expired.body':
    'The sign-in with another account was already used or took too long. Go back to the page you came from and start again.',
  'email_verify.title': 'Email verification',
  'email_verify.heading.verified': 'Email verified',
  'email_verify.heading.expired': 'This link has expired',
  'email_verify.heading.used': 'This link has already been used',
  'email_verify.heading.invalid': 'This link is not valid',
  'email_verify.ok': 'Your email has been verified and can now be used for identity verification.',
  'email_verify.expired': 'Verification links are valid for 2 hours; request a new one in your security settings.',
  'email_verify.used': 'Each link works once; your security settings show whether your email is verified.',
  'email_verify.invalid':
    'Open the complete link from the latest email, or request a new one in your security settings.',
  'email_verify.back': 'Back to {tenant}',
  'email_verify.close_to': 'You can close this page and return to {tenant}.',
  'email_verify.close': 'You can close this page.',
  'message.register_code_subject': '[{tenant}] Your registration code',
  'message.register_code_email':
    'Your {tenant} registration code is {code}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.verify_identity_code_sms':
    '[{tenant}] Your identity verification code is {code}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.verify_identity_code_voice':
    'Your {tenant} identity verification code is {spokenCode}. Again: {spokenCode}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.verify_identity_code_subject': '[{tenant}] Your identity verification code',
  'message.verify_identity_code_email':
    'Your {tenant} identity verification code is {code}. It is valid for 10 minutes. Do not share it with anyone, not even {tenant} staff.',
  'message.contact_change_code_sms':
    '[{tenant}] Your code to verify this new contact is {code}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.contact_change_code_voice':
    'Your {tenant} code to verify this new contact is {spokenCode}. Again: {spokenCode}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.contact_change_code_subject': '[{tenant}] Verify your new contact email',
  'message.contact_change_code_email':
    'Your {tenant} code to verify this email as your new contact is {code}. It is valid for 10 minutes. Do not share it with anyone.',
  'message.email_verify_intro': 'Open the link below within 2 hours to verify your email for {tenant}.',
  'message.email_verify_button': 'Verify email',
  'message.email_link_fallback': 'If the button does not work, copy this link into your browser:',
  'message.email_not_you': 'If you did not request this, you can ignore this email.',
  'message.email_footer': 'This is an automatic message from {tenant}. Please do not reply.',
  'message.security_notice_sms':
    '[{tenant}] Your {what} was changed at {time}. If this was not you, contact support now.',
  'message.security_notice_subject': '[{tenant}] Security notice: your {what} was changed',
  'message.security_notice_email':
    'The {what} of your {tenant} account was changed at {time}. If you made this change, no action is needed. If you did not, contact support immediately.',
  'message.mfa_change_sms':
    '[{tenant}] A virtual MFA device was {action} your account at {time}. If this was not you, contact support now.',
  'message.mfa_change_subject': '[{tenant}] Security notice: virtual MFA changed',
  'message.mfa_change_email':
    'A virtual MFA device was {action} your {tenant} account at {time}. If you made this change, no action is needed. If you did not, contact support immediately.',
  'message.mfa_application_rejected_sms':
    '[{tenant}] Your application to remove the virtual MFA device from your account was not approved. Contact support for details.',
  'message.mfa_application_rejected_subject': '[{tenant}] Your virtual MFA application was not approved',
  'message.mfa_application_rejected_email':
    'Your application to remove the virtual MFA device from your {tenant} account was not approved at {time}. The device stays bound; contact support to learn why or to apply again.',
  'message.phone_application_approved_sms':
    '[{tenant}] Your application to change the security phone was approved. Sign in within 7 days and bind a new security phone in Security settings.',
  'message.phone_application_approved_subject': '[{tenant}] Your security phone application was approved',
  'message.phone_application_approved_email':
    "Your application to change the security phone of your {tenant} account was approved at {time}. Sign in within 7 days and bind a new security phone in Security settings: only the new phone's code is asked.",
  'message.phone_application_rejected_sms':
    '[{tenant}] Your application to change the security phone was not approved. Contact support for details.',
  'message.phone_application_rejected_subject': '[{tenant}] Your security phone application was not approved',
  'message.phone_application_rejected_email':
    'Your application to change the security phone of your {tenant} account was not approved at {time}. Contact support to learn why or to apply again.',
  'message.mfa_action.bound': 'bound to',
  'message.mfa_action.unbound': 'removed from',
  'message.what.security_phone': 'security phone',
  'message.what.security_email': 'security email',
  'message.what.contact_phone': 'contact phone',
  'message.what.contact_email': 'contact email',
  'message.what.password': 'password',
  'message.what.account_closing': 'account closing status',
  'message.what.other': 'security setting',
  'message.time': '{datetime} UTC',
} as const;

export type ServerMessageKey = keyof typeof serverEn;
