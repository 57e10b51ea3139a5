/**
 * Common passwords refused whatever the policy (docs/product.md#2-passwords). Compared
 * case-insensitively. Drawn from published leak top lists (global and Chinese sites), kept to the entries a 6–20 character policy could otherwise accept; small on
 * purpose, because the widget ships it for the live checklist (the register+login bundle has a
 * 30 kB gzip budget). The last line is the top of @zxcvbn-ts/language-common's ranked list with
 * 8 or more characters (ranks 2–440), for the NIST preset's checklist. This is only the widget's
 * early hint: the BFF checks every new password against the whole ~49,000-entry list
 * (bff/src/services/passwords.ts commonPasswordList, which adds this list to it).
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (
    '123456a a123456 123456aa aa123456 abc123 abc123456 abcd1234 1234abcd a1234567 a12345678 ' +
    'password password1 password12 password123 passw0rd p@ssw0rd p@ssword p@ssw0rd1 p@ssw0rd123 ' +
    'p@55w0rd pa$$w0rd pa$$word passw0rd! password! password1! password@123 password#123 ' +
    'qwerty123 qwerty1 qwe123 qwe123456 qweasd123 qwer1234 qwer1234! qwerty! qwerty@123 qwerty123! ' +
    '1qaz2wsx 1qaz@wsx 1qaz!qaz 1q2w3e4r 1q2w3e4r5t 1q2w3e 1q2w3e! 1q2w3e4r! zaq12wsx zaq1@wsx ' +
    'admin123 admin@123 admin#123 admin123! admin1234 administrator1 root123 root@123 root1234 ' +
    'test123 test@123 test1234 test123! user123 user@123 guest123 welcome1 welcome123 welcome@123 ' +
    'iloveyou1 iloveyou! monkey123 dragon123 sunshine1 princess1 football1 baseball1 letmein1 ' +
    'master123 shadow123 superman1 trustno1 whatever1 michael1 jordan23 hello123 hello@123 ' +
    'woaini1314 woaini520 5201314a a5201314 woaini123 wo123456 aini1314 1314520a ' +
    'qq123456 qq123456! abc@123 abc#123 abc123! abc123!@# abcd@1234 abcd1234! aa123456! ' +
    'a123456! a123456@ a123456. a1234567! 123456a! 123456a@ 123456abc 123abc 123abc! 123qwe ' +
    '123qwe! 123qweasd 123qwe!@# 1234qwer 1234qwer! 12345qwert asd123 asd123456 asdf1234 ' +
    'asdf1234! asdfgh123 zxc123 zxc123456 zxcvbn123 zxcv1234 aaa111 aaa123 abc111 ' +
    'jdcloud123 jdcloud@123 tencent123 aliyun123 baidu123 huawei123 china123 china@123 ' +
    'changeme1 changeme! default1 secret123 secret@123 login123 pass123 pass@123 pass1234 ' +
    'qazwsx123 qazwsxedc1 !qaz2wsx !qaz@wsx 1qazxsw2 2wsx3edc abc.123 abc_123 abc-123 ' +
    'password 12345678 123456789 baseball football qwertyuiop 1234567890 superman jennifer trustno1 ' +
    'sunshine iloveyou computer michelle starwars princess 11111111 corvette 1234qwer internet samantha ' +
    'q1w2e3r4t5 maverick whatever mercedes steelers qwer1234 midnight victoria q1w2e3r4 1q2w3e4r ' +
    'asdfasdf 12344321 qwerty123 passw0rd abcd1234 88888888 5201314520'
  ).split(/\s+/),
);

/**
 * One to three characters said over and over ("aaaaaaaa", "        ", "zxzxzxzx", "abcabcabc"):
 * NIST SP 800-63B 3.1.1.2 names repetitive strings among the values to refuse, and no list holds
 * them all.
 */
const REPETITIVE = /^(.{1,3})\1+$/su;

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase()) || REPETITIVE.test(password);
}
