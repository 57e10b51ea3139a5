import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '../src/errors.ts';
import { errorMessage, LOCALES, matchLocale, t } from '../src/i18n/index.ts';
import { en } from '../src/i18n/en.ts';
import { zhCN } from '../src/i18n/zh-CN.ts';
import { serverEn } from '../src/i18n/server-en.ts';
import { serverZhCN } from '../src/i18n/server-zh-CN.ts';
import {
  accountNameProblems,
  accountNameSkeleton,
  foldAccountName,
  isValidAccountName,
  normalizeAccountName,
} from '../src/rules/account-name.ts';
import {
  DEFAULT_PASSWORD_POLICY,
  LEGACY_PASSWORD_POLICY,
  NIST_PASSWORD_POLICY,
  passwordChecklist,
  passwordProblems,
} from '../src/rules/password.ts';
import { tenantConfigPatch } from '../src/tenant-config.ts';
import { commonPasswordList, isCommonPasswordOnServer } from '../../bff/src/services/passwords.ts';
import { checkMobilePhone, parseIdentifierPhone } from '../src/rules/phone.ts';
import { looksLikeMobile, maskPhone, PHONE_REGIONS } from '../src/rules/phone-regions.ts';
import { emailProblem, maskEmail, normalizeEmail } from '../src/rules/email.ts';
import { registerBody, fieldIssuesFromZod } from '../src/api.ts';
import { AGREEMENTS } from '../../bff/test/harness.ts';

/** n code points starting with `first`, not repetitive (the repetition rule would refuse 'xxxx…'). */
const varied = (first: string, n: number) =>
  [first, ...Array.from({ length: n - 1 }, (_, i) => String.fromCodePoint(0x4e00 + i * 7))].join('');

describe('account name', () => {
  it.each([
    ['abc', ['account_name_too_short']],
    ['abcd', []],
    ['a'.repeat(20), []],
    ['a'.repeat(21), ['account_name_too_long']],
    ['张三李四', []],
    ['张三', ['account_name_too_short']],
    ['京东云用户_2026-ok', []],
    ['1234', ['account_name_digits_only']],
    ['12345678901234567890', ['account_name_digits_only']],
    ['123a', []],
    ['ab cd', ['account_name_invalid_chars']],
    ['abc.def', ['account_name_invalid_chars']],
    ['abc@def', ['account_name_invalid_chars']],
    ['ａｂｃｄ', []], // full-width Latin is checked (and stored) as its NFKC form, abcd
    ['１２３４', ['account_name_digits_only']], // NFKC: 1234
    ['①②③④', ['account_name_digits_only']], // NFKC: 1234
    ['ab\u3000cd', ['account_name_invalid_chars']], // the ideographic space is a space after NFKC
    ['ａｂ．ｃｄ', ['account_name_invalid_chars']],
    ['⼈⼈abc1', []], // Kangxi radicals: NFKC 人人abc1
    ['ab😀d', ['account_name_invalid_chars']],
    ['', ['account_name_too_short']],
  ] as [string, ErrorCode[]][])('%j → %j', (name, problems) => {
    expect(accountNameProblems(name)).toEqual(problems);
  });

  it('counts code points after NFC, so a rare Han character (outside the BMP) counts once', () => {
    expect(isValidAccountName('𠀀𠀁𠀂𠀃')).toBe(true); // 4 code points, 8 UTF-16 units
    expect(accountNameProblems('𠀀'.repeat(21))).toEqual(['account_name_too_long']);
  });

  it('folds case for uniqueness', () => {
    expect(foldAccountName('Alice_Z')).toBe(foldAccountName('alice_z'));
    expect(foldAccountName('张三ABC')).toBe('张三abc');
  });

  it('stores the NFKC form, so the name shown is canonical', () => {
    expect(normalizeAccountName('ＡＬＩＣＥ_01')).toBe('ALICE_01');
    expect(normalizeAccountName('⼈⼈abc1')).toBe('人人abc1');
    expect(normalizeAccountName('⺟亲ab')).toBe('母亲ab'); // CJK radicals supplement U+2E9F
  });

  // the fold: NFKC + lower case — what uniqueness and sign-in by name compare
  it.each([
    ['Alice_01', 'alice_01'],
    ['ＡＬＩＣＥ_01', 'alice_01'], // full-width letters
    ['ＡＢ', 'ab'],
    ['⼈⼈abc1', '人人abc1'], // Kangxi radical U+2F08 = 人 U+4EBA
    ['人人ABC1', '人人abc1'],
    ['\uf900山taro', '\u8c48山taro'], // CJK compatibility ideograph U+F900 = U+8C48 (already under NFC)
    ['〸卄abc', '十卄abc'], // Hangzhou numeral U+3038
  ])('fold(%j) = %j', (name, folded) => {
    expect(foldAccountName(name)).toBe(folded);
  });

  // the skeleton: the fold with look-alikes mapped to one prototype (TS #39 in spirit)
  it.each([
    ['hello_o', 'hell0_0'],
    ['hello_o', 'HELL0_O'],
    ['Alice_01', 'ＡＬＩＣＥ_01'],
    ['Alice_01', 'Alice_Ol'],
    ['alice_01', 'a1ice_01'],
    ['bill_1', 'biii_l'],
    ['modern', 'rnodern'],
    ['wave_1', 'vvave_1'],
    ['人人abc1', '⼈⼈abc1'],
    ['一二三abc', '-二三abc'], // 一 U+4E00 reads as "-"
    ['丨ong_x', 'long_x'], // 丨 U+4E28 reads as "l"
    ['〇ne_abc', 'one_abc'], // confusables.txt: 〇 → O
    ['〇ne_abc', '0ne_abc'],
  ])('%j looks like %j', (a, b) => {
    expect(accountNameSkeleton(a)).toBe(accountNameSkeleton(b));
  });
  it.each([
    ['alice_01', 'alice-01'], // - and _ stay apart
    ['hello_o', 'hello_a'],
    ['张三abcd', '李四abcd'],
    ['人人abc1', '入入abc1'], // different Han characters are not confusables here
    ['abc_mm', 'abc_nn'],
  ])('%j does not look like %j', (a, b) => {
    expect(accountNameSkeleton(a)).not.toBe(accountNameSkeleton(b));
  });
});

describe('password, default policy (7–20, letters + digits + symbols)', () => {
  const p = DEFAULT_PASSWORD_POLICY;
  it.each([
    ['Ab1!xyz', 'alice', []],
    ['Ab1!xy', 'alice', ['password_too_short']],
    ['Ab1!' + 'x'.repeat(16), 'alice', []],
    ['Ab1!' + 'x'.repeat(17), 'alice', ['password_too_long']],
    ['abcdefg1', 'alice', ['password_missing_symbol']],
    ['abcdef!!', 'alice', ['password_missing_digit']],
    ['123456!!', 'alice', ['password_missing_letter']],
    ['Ab1! xyz', 'alice', ['password_invalid_chars']],
    ['Ab1!中文xyz', 'alice', ['password_invalid_chars']],
    ['Alice_01', 'alice_01', ['password_equals_account_name']],
    ['ALICE_01', 'alice_01', ['password_equals_account_name']],
    ['P@ssw0rd', 'alice', ['password_too_common']],
    ['', 'alice', ['password_too_short']],
  ] as [string, string, ErrorCode[]][])('%j (account %j) → %j', (pw, name, problems) => {
    expect(passwordProblems(pw, p, name)).toEqual(problems);
  });
});

describe('password, legacy policy (6–20, two classes)', () => {
  const p = LEGACY_PASSWORD_POLICY;
  it.each([
    ['abc12x', []],
    ['abc1x', ['password_too_short']],
    ['abcdef', ['password_too_few_classes']],
    ['123456', ['password_too_few_classes']],
    ['abc!!!', []],
    ['123!!!', []],
    ['abc123', ['password_too_common']],
  ] as [string, ErrorCode[]][])('%j → %j', (pw, problems) => {
    expect(passwordProblems(pw, p, 'someone')).toEqual(problems);
  });
});

describe('password, NIST SP 800-63B preset (8–64 code points, any printable Unicode, no composition rules)', () => {
  const p = NIST_PASSWORD_POLICY;
  it.each([
    ['abcdefg', ['password_too_short']], // 7
    ['abcdefgh', []], // 8, letters only: no composition rule
    ['我的密码很长的', ['password_too_short']], // 7 Han
    ['我的密码很长的呀', []], // 8 Han
    ['correct horse battery staple', []], // spaces
    ['  leading and trailing  ', []], // spaces are kept, not trimmed
    ['日本語 とEnglish 混ぜる', []],
    [varied('x', 64), []],
    [varied('x', 65), ['password_too_long']],
    [varied('𠀀', 64), []], // 64 code points (128 UTF-16 units): counted in code points
    [varied('𠀀', 65), ['password_too_long']],
    ['𠀀'.repeat(64), ['password_too_common']], // repetitive strings are refused (NIST SP 800-63B 3.1.1.2)
    ['emoji 👩‍💻 ok!', []], // a ZWJ sequence (format characters are printable text)
    ['tab\there ok', ['password_unprintable']],
    ['line\nbreak ok', ['password_unprintable']],
    ['nul\u0000byte ok', ['password_unprintable']],
    ['del\u007fchar ok', ['password_unprintable']],
    ['c1\u0085control', ['password_unprintable']],
    ['sep\u2028line ok', ['password_unprintable']],
    ['lone \ud800 surrogate', ['password_unprintable']],
    ['\udc00' + 'a'.repeat(8), ['password_unprintable']],
    ['alice_01', ['password_equals_account_name']],
    ['iloveyou', ['password_too_common']], // on the widget's small list too
    ['', ['password_too_short']],
  ] as [string, ErrorCode[]][])('%j → %j', (pw, problems) => {
    expect(passwordProblems(pw, p, 'Alice_01')).toEqual(problems);
  });

  it('checks the NFKC form (NIST 5.1.1.2): full-width input is the same password as ASCII', () => {
    expect(passwordProblems('ＩＬＯＶＥＹＯＵ', p)).toEqual(['password_too_common']);
    expect(passwordProblems('ａｌｉｃｅ＿０１', p, 'alice_01')).toEqual(['password_equals_account_name']);
  });

  it('the checklist lists the actual rule: length, not the account name, not common — no classes, no "ASCII only"', () => {
    const items = passwordChecklist('我的 密码', p, 'alice');
    expect(items.map((i) => [i.id, i.met])).toEqual([
      ['length', false],
      ['not_account_name', true],
      ['not_common', true],
    ]);
    expect(items[0].params).toEqual({ min: 8, max: 64 });
  });
});

describe('common passwords on the server (the 10,000+ list)', () => {
  it('holds at least the 10,000 most common passwords, lower case', async () => {
    const list = await commonPasswordList();
    expect(list.size).toBeGreaterThanOrEqual(10_000);
  });
  // ranks 9002, 8999, 9475 and 6919 in @zxcvbn-ts/language-common 4.1.3's list; only p@ssw0rd is on the widget's small list
  it.each(['papamama', 'trooper1', 'goldeneye', 'PaPaMaMa', 'p@ssw0rd'])(
    'refuses %j (deep in the list, any case)',
    async (pw) => {
      expect(passwordProblems(pw, NIST_PASSWORD_POLICY)).toEqual(pw === 'p@ssw0rd' ? ['password_too_common'] : []);
      expect(await isCommonPasswordOnServer(pw)).toBe(true);
    },
  );
  it('accepts an uncommon passphrase', async () => {
    expect(await isCommonPasswordOnServer('我的 密码 很长 correct')).toBe(false);
  });
  it('the register schema with the server check refuses a deep entry as password_too_common', async () => {
    const schema = registerBody({
      passwordPolicy: NIST_PASSWORD_POLICY,
      phoneRegions: ['CN'],
      isCommonPassword: isCommonPasswordOnServer,
    });
    const body = {
      accountName: 'alice_01',
      phone: { region: 'CN', number: '13800138000' },
      code: '123456',
      agreements: AGREEMENTS,
    };
    const bad = await schema.safeParseAsync({ ...body, password: 'papamama' });
    expect(fieldIssuesFromZod(bad.error!.issues)).toEqual([{ path: 'password', code: 'password_too_common' }]);
    expect((await schema.safeParseAsync({ ...body, password: '我的 密码 很长 correct' })).success).toBe(true);
  });
});

describe('tenant password presets', () => {
  it('one setting chooses the NIST preset, stored expanded', () => {
    const r = tenantConfigPatch.parse({ passwordPolicy: { preset: 'nist' } });
    expect(r.passwordPolicy).toEqual(NIST_PASSWORD_POLICY);
  });
  it.each(['default', 'legacy'] as const)('%s is a preset too', (preset) => {
    expect(tenantConfigPatch.parse({ passwordPolicy: { preset } }).passwordPolicy).toMatchObject({ preset });
  });
  it('keeps a policy spelled out in full (every config stored before presets) valid and unchanged', () => {
    const custom = {
      minLength: 10,
      maxLength: 30,
      requiredClasses: ['letter'],
      minClasses: 2,
      forbidAccountName: true,
      blockCommon: true,
    };
    expect(tenantConfigPatch.parse({ passwordPolicy: custom }).passwordPolicy).toEqual(custom);
    expect(tenantConfigPatch.parse({ passwordPolicy: DEFAULT_PASSWORD_POLICY }).passwordPolicy).toMatchObject({
      ...DEFAULT_PASSWORD_POLICY,
      preset: 'default',
    });
  });
  it.each([{ preset: 'nope' }, { preset: 'nist', minLength: 4 }, { preset: 'nist', charset: 'ebcdic' }])(
    'refuses %j',
    (policy) => {
      expect(tenantConfigPatch.safeParse({ passwordPolicy: policy }).success).toBe(false);
    },
  );
});

describe('password checklist', () => {
  it('lists each rule of the default policy with its state', () => {
    const items = passwordChecklist('abc', DEFAULT_PASSWORD_POLICY, 'alice');
    expect(items.map((i) => [i.id, i.met])).toEqual([
      ['length', false],
      ['letter', true],
      ['digit', false],
      ['symbol', false],
      ['chars', true],
      ['not_account_name', true],
      ['not_common', true],
    ]);
    expect(items[0].params).toEqual({ min: 7, max: 20 });
  });
  it('shows the classes rule for the legacy policy', () => {
    expect(passwordChecklist('abc123x', LEGACY_PASSWORD_POLICY).find((i) => i.id === 'classes')).toEqual({
      id: 'classes',
      met: true,
      params: { n: 2 },
    });
  });
});

describe('mobile phones by region', () => {
  const all = [...PHONE_REGIONS];
  it.each([
    ['CN', '13800138000', '+8613800138000'],
    ['CN', '199 1234 5678', '+8619912345678'],
    ['CN', '+86 138-0013-8000', '+8613800138000'],
    ['HK', '9123 4567', '+85291234567'],
    ['HK', '51234567', '+85251234567'],
    ['MO', '6612 3456', '+85366123456'],
    ['TW', '0912 345 678', '+886912345678'],
    ['TW', '912345678', '+886912345678'],
  ])('%s %s → %s', (region, number, e164) => {
    expect(checkMobilePhone(region, number, all)).toEqual({ ok: true, e164, region });
    expect(looksLikeMobile(region as 'CN', number)).toBe(true);
  });

  it.each([
    ['CN', '1380013800'], // 10 digits
    ['CN', '138001380001'], // 12 digits
    ['CN', '01065529988'], // Beijing fixed line
    ['CN', '12345678901'], // no such mobile prefix
    ['HK', '21234567'], // fixed line
    ['HK', '912345'],
    ['MO', '28212345'], // fixed line
    ['TW', '0223456789'], // Taipei fixed line
    ['CN', 'abc'],
    ['CN', ''],
  ])('%s %j is refused', (region, number) => {
    expect(checkMobilePhone(region, number, all)).toEqual({ ok: false, code: 'phone_invalid' });
  });

  it('refuses regions the tenant did not enable (default: mainland China only)', () => {
    expect(checkMobilePhone('HK', '91234567', ['CN'])).toEqual({ ok: false, code: 'phone_region_not_allowed' });
    expect(checkMobilePhone('US', '2025550123', all)).toEqual({ ok: false, code: 'phone_region_not_allowed' });
  });

  it('reads phone sign-in identifiers with or without the dial code', () => {
    expect(parseIdentifierPhone('13800138000', ['CN'])).toBe('+8613800138000');
    expect(parseIdentifierPhone('+852 9123 4567', ['CN', 'HK'])).toBe('+85291234567');
    expect(parseIdentifierPhone('+852 9123 4567', ['CN'])).toBeUndefined();
    expect(parseIdentifierPhone('alice', ['CN'])).toBeUndefined();
  });

  it('masks numbers for display', () => {
    expect(maskPhone('+8613800138000')).toBe('138****8000');
    // at most 3 + 4 digits show, and at least 4 stay hidden, in every region
    expect(maskPhone('+85291234567')).toBe('+852 91****67');
    expect(maskPhone('+85362123456')).toBe('+853 62****56');
    expect(maskPhone('+886912345678')).toBe('+886 91****678');
    expect(maskPhone('+14155550123')).toBe('141****0123'); // no region: the digits after '+'
    expect(maskPhone('+123')).toBe('****');
  });
});

describe('email', () => {
  it.each(['a@example.com', 'A.B+tag@Sub.Example.CN', 'x_y@mail.jd.com'])('%s is valid', (e) => {
    expect(emailProblem(e)).toBeUndefined();
  });
  it.each(['', 'a', 'a@', '@b.com', 'a@b', 'a b@c.com', 'a@b..com', `${'a'.repeat(250)}@b.com`])(
    '%j is invalid',
    (e) => {
      expect(emailProblem(e)).toBe('email_invalid');
    },
  );
  it('normalises and masks', () => {
    expect(normalizeEmail(' Alice@Example.COM ')).toBe('alice@example.com');
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
  });
});

describe('messages', () => {
  it('has every error code in zh-CN and en', () => {
    for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
      for (const locale of LOCALES) expect(errorMessage(locale, code), `${locale} ${code}`).not.toMatch(/^error\./);
    }
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(serverZhCN).sort()).toEqual(Object.keys(serverEn).sort());
  });
  it('fills parameters', () => {
    expect(t('en', 'error.code_cooldown', { seconds: 42 })).toBe('Please wait 42 s before requesting another code.');
    expect(t('zh-CN', 'error.account_name_too_short', { min: 4 })).toBe('账号名至少 4 个字符。');
  });
  it('matches browser languages', () => {
    expect(matchLocale('zh-TW,zh;q=0.9')).toBe('zh-CN');
    expect(matchLocale('en-GB')).toBe('en');
    expect(matchLocale('fr-FR')).toBeUndefined();
  });
});

describe('register schema', () => {
  const schema = registerBody({ passwordPolicy: DEFAULT_PASSWORD_POLICY, phoneRegions: ['CN'] });
  const good = {
    accountName: 'alice_01',
    password: 'Secret#2026',
    phone: { region: 'CN', number: '13800138000' },
    code: '123456',
    agreements: AGREEMENTS,
  };
  it('normalises a good body', () => {
    const r = schema.safeParse(good);
    expect(r.success && r.data.phone).toBe('+8613800138000');
  });
  it('reports every field problem with its code and path', () => {
    const r = schema.safeParse({
      ...good,
      accountName: '1234',
      password: 'short',
      code: '12ab',
      phone: { region: 'HK', number: '91234567' },
    });
    expect(r.success).toBe(false);
    const issues = fieldIssuesFromZod(r.error!.issues).map((i) => `${i.path}:${i.code}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'accountName:account_name_digits_only',
        'password:password_too_short',
        'code:code_format',
        'phone.region:phone_region_not_allowed',
      ]),
    );
  });
  it('refuses a password equal to the account name', () => {
    const r = schema.safeParse({ ...good, accountName: 'Alice_2026!', password: 'alice_2026!' });
    expect(r.success).toBe(false);
  });
});
