import type { ServerMessageKey } from './server-en.ts';

/** 简体中文：BFF 自己发送或渲染的文字，与 server-en.ts 一一对应。 */
export const serverZhCN: Record<ServerMessageKey, string> = {
  'message.register_code_sms': '【{tenant}】您的注册验证码为 {code}，10 分钟内有效，请勿泄露给他人。',
  'message.register_code_voice':
    '您的{tenant}注册验证码是 {spokenCode}。再说一遍：{spokenCode}。10 分钟内有效，请勿泄露给他人。',
  'message.email_verify_subject': '【{tenant}】请验证您的邮箱',
  'message.email_verify_text': '请在 2 小时内打开以下链接，验证您在{tenant}的邮箱：{link}',
  'page.federation_expired.title': '本次登录已失效',
  'page.federation_expired.body': '该第三方账号登录已使用或已超时。请返回原页面重新开始。',
  'email_verify.title': '邮箱验证',
  'email_verify.heading.verified': '邮箱验证成功',
  'email_verify.heading.expired': '该链接已过期',
  'email_verify.heading.used': '该链接已被使用',
  'email_verify.heading.invalid': '该链接无效',
  'email_verify.ok': '您的邮箱已验证成功，现在可用于身份验证。',
  'email_verify.expired': '验证链接的有效期为 2 小时，请在安全设置中重新发送。',
  'email_verify.used': '每个链接只能使用一次，您可以在安全设置中查看邮箱是否已验证。',
  'email_verify.invalid': '请打开最新邮件中的完整链接，或在安全设置中重新发送。',
  'email_verify.back': '返回{tenant}',
  'email_verify.close_to': '您可以关闭此页面，返回{tenant}。',
  'email_verify.close': '您可以关闭此页面。',
  'message.register_code_subject': '【{tenant}】您的注册验证码',
  'message.register_code_email': '您的{tenant}注册验证码为 {code}，10 分钟内有效，请勿泄露给他人。',
  'message.verify_identity_code_sms': '【{tenant}】您的身份验证码为 {code}，10 分钟内有效，请勿泄露给他人。',
  'message.verify_identity_code_voice':
    '您的{tenant}身份验证码是 {spokenCode}。再说一遍：{spokenCode}。10 分钟内有效，请勿泄露给他人。',
  'message.verify_identity_code_subject': '【{tenant}】您的身份验证码',
  'message.verify_identity_code_email':
    '您的{tenant}身份验证码为 {code}，10 分钟内有效。请勿泄露给任何人，包括{tenant}的工作人员。',
  'message.contact_change_code_sms':
    '【{tenant}】您正在验证新的联系方式，验证码为 {code}，10 分钟内有效，请勿泄露给他人。',
  'message.contact_change_code_voice':
    '您正在验证{tenant}的新联系方式，验证码是 {spokenCode}。再说一遍：{spokenCode}。10 分钟内有效，请勿泄露给他人。',
  'message.contact_change_code_subject': '【{tenant}】请验证您的新联系邮箱',
  'message.contact_change_code_email':
    '您正在将此邮箱设为{tenant}账号的联系邮箱，验证码为 {code}，10 分钟内有效，请勿泄露给他人。',
  'message.email_verify_intro': '请在 2 小时内打开以下链接，验证您在{tenant}的邮箱。',
  'message.email_verify_button': '验证邮箱',
  'message.email_link_fallback': '如果按钮无法打开，请将以下链接复制到浏览器中打开：',
  'message.email_not_you': '如果这不是您本人的操作，请忽略此邮件。',
  'message.email_footer': '此邮件由{tenant}自动发送，请勿回复。',
  'message.security_notice_sms': '【{tenant}】您的{what}已于{time}变更，如非本人操作请立即联系客服。',
  'message.security_notice_subject': '【{tenant}】安全提醒：您的{what}已变更',
  'message.security_notice_email':
    '您的{tenant}账号的{what}已于{time}变更。如果是您本人操作，请忽略此邮件；如非本人操作，请立即联系客服。',
  'message.mfa_change_sms': '【{tenant}】您的账号已于{time}{action}虚拟MFA设备，如非本人操作请立即联系客服。',
  'message.mfa_change_subject': '【{tenant}】安全提醒：虚拟MFA已变更',
  'message.mfa_change_email':
    '您的{tenant}账号已于{time}{action}虚拟MFA设备。如果是您本人操作，请忽略此邮件；如非本人操作，请立即联系客服。',
  'message.mfa_application_rejected_sms': '【{tenant}】您提交的虚拟MFA设备解绑申请未通过审核，详情请联系客服。',
  'message.mfa_application_rejected_subject': '【{tenant}】虚拟MFA设备解绑申请未通过',
  'message.mfa_application_rejected_email':
    '您在{tenant}提交的虚拟MFA设备解绑申请已于{time}审核未通过，设备仍保持绑定。如需了解原因或重新申请，请联系客服。',
  'message.phone_application_approved_sms':
    '【{tenant}】您提交的安全手机变更申请已通过审核，请在 7 天内登录并在安全设置中绑定新的安全手机。',
  'message.phone_application_approved_subject': '【{tenant}】安全手机变更申请已通过',
  'message.phone_application_approved_email':
    '您在{tenant}提交的安全手机变更申请已于{time}审核通过。请在 7 天内登录，在安全设置中绑定新的安全手机，只需验证新手机的验证码。',
  'message.phone_application_rejected_sms': '【{tenant}】您提交的安全手机变更申请未通过审核，详情请联系客服。',
  'message.phone_application_rejected_subject': '【{tenant}】安全手机变更申请未通过',
  'message.phone_application_rejected_email':
    '您在{tenant}提交的安全手机变更申请已于{time}审核未通过。如需了解原因或重新申请，请联系客服。',
  'message.mfa_action.bound': '绑定',
  'message.mfa_action.unbound': '解绑',
  'message.what.security_phone': '安全手机',
  'message.what.security_email': '安全邮箱',
  'message.what.contact_phone': '联系手机',
  'message.what.contact_email': '联系邮箱',
  'message.what.password': '登录密码',
  'message.what.account_closing': '账号注销状态',
  'message.what.other': '安全设置',
  'message.time': '{datetime}',
};
