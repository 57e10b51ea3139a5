import { describe, expect, it } from 'vitest';
import { tServer as t } from '../../shared/src/i18n/server.ts';
import {
  MESSAGE_PURPOSES,
  PURPOSE_CHANNELS,
  escapeHtml,
  formatNoticeTime,
  renderMessage,
  smsSegments,
  spokenDigits,
  type MessagePurpose,
  type RenderMessageInput,
} from '../src/delivery/templates.ts';

const LOCALES = ['zh-CN', 'en'] as const;
const CODE_PURPOSES = ['register', 'verify_identity', 'contact_change'] as const;
const AT = new Date('2025-03-04T05:06:07.000Z');
/** 20-character tenant names, the longest display name the SMS texts are sized for */
const LONG_NAME = { 'zh-CN': '示例云计算服务平台示例云计算服务平台示例', en: 'Acme Cloud Platforms' } as const;

function inputFor(
  purpose: MessagePurpose,
  channel: RenderMessageInput['channel'],
  locale: 'zh-CN' | 'en',
  tenantName: string,
): RenderMessageInput {
  return {
    purpose,
    channel,
    locale,
    tenantName,
    code: '123456',
    link: 'https://auth.example.com/email/verify?token=abc&x=1',
    notice: { kind: purpose === 'mfa_change' ? 'unbound' : 'security_phone', at: AT },
  };
}

describe('smsSegments', () => {
  it('counts GSM-7 texts: 160 in one segment, 153 per segment after that', () => {
    expect(smsSegments('')).toBe(1);
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments('[Acme] @£$ ÄÖÑÜ')).toBe(1);
  });

  it('counts GSM-7 extension characters twice', () => {
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
    expect(smsSegments('{'.repeat(80) + 'a')).toBe(2);
  });

  it('counts UCS-2 texts: 70 in one segment, 67 per segment after that', () => {
    expect(smsSegments('验'.repeat(70))).toBe(1);
    expect(smsSegments('验'.repeat(71))).toBe(2);
    expect(smsSegments('验'.repeat(134))).toBe(2);
    expect(smsSegments('验'.repeat(135))).toBe(3);
    // one non-GSM character turns the whole text into UCS-2
    expect(smsSegments('a'.repeat(70) + '’')).toBe(2);
    // characters outside the BMP take two UTF-16 units
    expect(smsSegments('😀'.repeat(35))).toBe(1);
    expect(smsSegments('😀'.repeat(36))).toBe(2);
  });
});

describe('renderMessage: SMS', () => {
  for (const purpose of MESSAGE_PURPOSES.filter((p) => PURPOSE_CHANNELS[p].includes('sms'))) {
    for (const locale of LOCALES) {
      it(`${purpose} (${locale}) fits one segment with a 20-character tenant name`, () => {
        const name = LONG_NAME[locale];
        expect([...name]).toHaveLength(20);
        const m = renderMessage(inputFor(purpose, 'sms', locale, name));
        expect(m.text).toContain(name);
        expect(smsSegments(m.text)).toBe(1);
        if (locale === 'zh-CN') expect(m.text.length).toBeLessThanOrEqual(70);
        else expect(/^[\x20-\x7e]*$/.test(m.text), `en SMS stays GSM-7: ${m.text}`).toBe(true);
        expect(m.subject).toBeNull();
        expect(m.html).toBeNull();
        expect(m.template?.key).toBe(purpose);
      });
    }
  }

  for (const purpose of CODE_PURPOSES) {
    it(`${purpose}: code, 10-minute validity, "do not share" and template params [code, '10']`, () => {
      const en = renderMessage(inputFor(purpose, 'sms', 'en', 'Acme'));
      expect(en.text).toContain('[Acme]');
      expect(en.text).toContain('123456');
      expect(en.text).toContain('10 minutes');
      expect(en.text).toContain('Do not share');
      expect(en.code).toBe('123456');
      expect(en.template).toEqual({ key: purpose, params: ['123456', '10'] });
      const zh = renderMessage(inputFor(purpose, 'sms', 'zh-CN', '示例云'));
      expect(zh.text).toContain('【示例云】');
      expect(zh.text).toContain('123456');
      expect(zh.text).toContain('10 分钟');
      expect(zh.text).toContain('请勿泄露');
      expect(zh.template).toEqual({ key: purpose, params: ['123456', '10'] });
    });
  }

  it('register keeps the existing message.register_code_sms text', () => {
    for (const locale of LOCALES) {
      const m = renderMessage(inputFor('register', 'sms', locale, 'Acme'));
      expect(m.text).toBe(t(locale, 'message.register_code_sms', { tenant: 'Acme', code: '123456' }));
    }
  });

  it('security_notice names what changed and when', () => {
    const en = renderMessage(inputFor('security_notice', 'sms', 'en', 'Acme'));
    expect(en.text).toBe(
      '[Acme] Your security phone was changed at 2025-03-04 05:06 UTC. If this was not you, contact support now.',
    );
    expect(en.template).toEqual({ key: 'security_notice', params: ['security phone', '2025-03-04 05:06 UTC'] });
    expect(en.code).toBeNull();
    const zh = renderMessage({
      ...inputFor('security_notice', 'sms', 'zh-CN', '示例云'),
      notice: { kind: 'security_email', at: AT },
    });
    expect(zh.text).toContain('安全邮箱');
    expect(zh.text).toContain('2025-03-04 13:06'); // UTC+8
    const other = renderMessage({
      ...inputFor('security_notice', 'sms', 'en', 'Acme'),
      notice: { kind: 'something_new', at: AT },
    });
    expect(other.text).toContain('Your security setting was changed');
    expect(other.text).not.toContain('something_new');
  });

  it('mfa_change says bound or unbound', () => {
    const bound = renderMessage({ ...inputFor('mfa_change', 'sms', 'en', 'Acme'), notice: { kind: 'bound', at: AT } });
    expect(bound.text).toContain('A virtual MFA device was bound to your account at 2025-03-04 05:06 UTC');
    const unbound = renderMessage({
      ...inputFor('mfa_change', 'sms', 'en', 'Acme'),
      notice: { kind: 'unbound', at: AT },
    });
    expect(unbound.text).toContain('removed from your account');
    expect(unbound.template).toEqual({ key: 'mfa_change', params: ['removed from', '2025-03-04 05:06 UTC'] });
    const zh = renderMessage({
      ...inputFor('mfa_change', 'sms', 'zh-CN', '示例云'),
      notice: { kind: 'unbound', at: AT },
    });
    expect(zh.text).toContain('解绑虚拟MFA设备');
  });
});

describe('renderMessage: voice', () => {
  for (const purpose of CODE_PURPOSES) {
    for (const locale of LOCALES) {
      it(`${purpose} (${locale}) reads the code digit by digit, twice, with validity and "do not share"`, () => {
        const m = renderMessage(inputFor(purpose, 'voice', locale, 'Acme'));
        const spoken = locale === 'en' ? '1, 2, 3, 4, 5, 6' : '1，2，3，4，5，6';
        expect(spokenDigits('123456', locale)).toBe(spoken);
        expect(m.text.split(spoken)).toHaveLength(3);
        expect(m.text).not.toContain('123456');
        expect(m.text).toContain(locale === 'en' ? '10 minutes' : '10 分钟');
        expect(m.text).toContain(locale === 'en' ? 'Do not share' : '请勿泄露');
        expect(m.text).toContain('Acme');
        expect(m.code).toBe('123456');
        expect(m.subject).toBeNull();
        expect(m.html).toBeNull();
        expect(m.template).toEqual({ key: purpose, params: ['123456', '10'] });
      });
    }
  }
});

describe('renderMessage: email', () => {
  for (const purpose of MESSAGE_PURPOSES) {
    for (const locale of LOCALES) {
      it(`${purpose} (${locale}) has a subject, a text and an HTML body in the locale`, () => {
        const m = renderMessage(inputFor(purpose, 'email', locale, 'Acme'));
        expect(m.subject).toContain('Acme');
        expect(m.text).toContain('Acme');
        expect(m.html).toMatch(/^<!doctype html><html lang="(zh-CN|en)">/);
        expect(m.html).toContain(`lang="${locale}"`);
        expect(m.html).not.toMatch(/<script|javascript:|\son\w+=/i);
        expect(m.template).toBeNull();
        expect(m.text).toContain(t(locale, 'message.email_footer', { tenant: 'Acme' }));
      });
    }
  }

  it('code emails carry the code, its validity and "do not share"', () => {
    for (const purpose of CODE_PURPOSES) {
      const m = renderMessage(inputFor(purpose, 'email', 'en', 'Acme'));
      expect(m.code).toBe('123456');
      expect(m.text).toContain('123456');
      expect(m.text).toContain('10 minutes');
      expect(m.text).toContain('Do not share');
      expect(m.html).toContain('>123456</p>');
    }
  });

  it('email_verification keeps the existing subject and text keys, with the link as a button and as plain text', () => {
    const link = 'https://auth.example.com/email/verify?token=abc&x=1';
    for (const locale of LOCALES) {
      const m = renderMessage(inputFor('email_verification', 'email', locale, 'Acme'));
      expect(m.subject).toBe(t(locale, 'message.email_verify_subject', { tenant: 'Acme' }));
      expect(m.text.startsWith(t(locale, 'message.email_verify_text', { tenant: 'Acme', link }))).toBe(true);
      expect(m.code).toBeNull();
      const escaped = 'https://auth.example.com/email/verify?token=abc&amp;x=1';
      const button = `>${t(locale, 'message.email_verify_button')}</a>`;
      expect(m.html).toContain(`<a href="${escaped}"`);
      expect(m.html).toContain(button);
      expect(m.html).toContain(`>${escaped}</a>`); // the link as plain text too
      expect(m.html).toContain(escapeHtml(t(locale, 'message.email_link_fallback')));
    }
    expect(renderMessage(inputFor('email_verification', 'email', 'en', 'Acme')).text).toContain('2 hours');
  });

  it('never makes a button of a non-http link', () => {
    const m = renderMessage({ ...inputFor('email_verification', 'email', 'en', 'Acme'), link: 'javascript:alert(1)' });
    expect(m.html).not.toContain('href="javascript:');
    expect(m.html).not.toContain('<a ');
  });

  it('escapes every interpolated value in the HTML', () => {
    const evil = '<script>alert("x")</script>&\'';
    for (const purpose of MESSAGE_PURPOSES) {
      for (const locale of LOCALES) {
        const m = renderMessage({
          ...inputFor(purpose, 'email', locale, evil),
          link: 'https://x.example/"><script>alert(1)</script>',
          code: '<b>1</b>',
          notice: { kind: '<img src=x onerror=alert(1)>', at: AT },
        });
        expect(m.html).not.toContain('<script');
        expect(m.html).not.toContain('<b>');
        expect(m.html).not.toContain('<img');
        if (purpose === 'email_verification') {
          expect(m.html).toContain('href="https://x.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
        }
        expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
      }
    }
  });

  it('security_notice and mfa_change emails say what changed and when', () => {
    const m = renderMessage(inputFor('security_notice', 'email', 'en', 'Acme'));
    expect(m.subject).toBe('[Acme] Security notice: your security phone was changed');
    expect(m.text).toContain('The security phone of your Acme account was changed at 2025-03-04 05:06 UTC');
    const zh = renderMessage({
      ...inputFor('mfa_change', 'email', 'zh-CN', '示例云'),
      notice: { kind: 'bound', at: AT },
    });
    expect(zh.text).toContain('已于2025-03-04 13:06绑定虚拟MFA设备');
  });
});

describe('renderMessage: inputs', () => {
  it('refuses a channel a purpose has no template for', () => {
    expect(() => renderMessage(inputFor('email_verification', 'sms', 'en', 'Acme'))).toThrow(/no sms template/);
    expect(() => renderMessage(inputFor('security_notice', 'voice', 'en', 'Acme'))).toThrow(/no voice template/);
  });

  it('requires the code, link or notice its purpose needs', () => {
    expect(() => renderMessage({ purpose: 'register', channel: 'sms', locale: 'en', tenantName: 'Acme' })).toThrow(
      /code is required/,
    );
    expect(() =>
      renderMessage({ purpose: 'email_verification', channel: 'email', locale: 'en', tenantName: 'Acme' }),
    ).toThrow(/link/);
    expect(() => renderMessage({ purpose: 'mfa_change', channel: 'sms', locale: 'en', tenantName: 'Acme' })).toThrow(
      /notice/,
    );
  });

  it('formats notice times in UTC (en) and UTC+8 (zh-CN)', () => {
    expect(formatNoticeTime(new Date('2025-12-31T20:30:00Z'), 'en')).toBe('2025-12-31 20:30 UTC');
    expect(formatNoticeTime(new Date('2025-12-31T20:30:00Z'), 'zh-CN')).toBe('2026-01-01 04:30');
  });
});
