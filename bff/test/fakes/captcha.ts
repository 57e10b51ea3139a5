/**
 * Local fakes of the three captcha providers (shared/src/captcha.ts), one loopback server each:
 * their server-side verification APIs and their browser scripts. The scripts imitate each
 * provider's documented public browser API (the functions, options and callbacks a page uses),
 * not the real visuals or any challenge: `show()`/`render()` put a plain button
 * "fake-captcha: verify" (id `fake-captcha-solve`) on the page, and clicking it fetches a fresh
 * ticket from the fake (`GET /fake/issue?provider=…`, CORS `*`) and hands it to the page's callback.
 *
 * - Tencent Cloud Captcha: `POST /` with X-TC-Action DescribeCaptchaResult (API 2019-07-22),
 *   TC3-HMAC-SHA256 signed (checked as Tencent's gateway does, ./tencent.ts `verifyTc3`). API errors
 *   are HTTP 200 `{ Response: { Error: { Code, Message }, RequestId } }`; a verdict is
 *   `{ Response: { CaptchaCode, CaptchaMsg, EvilLevel, … } }` with Tencent's codes (1 ok, 7 randstr
 *   mismatch, 9 reused, 15 undecryptable ticket, 16 app id mismatch, 100 AppSecretKey mismatch).
 *   Browser: `/TJCaptcha.js`, `new TencentCaptcha(appId, callback, options).show()`; the callback
 *   gets `{ ret: 0, ticket, randstr, appid }`, or `{ ret: 2 }` when the user closes it.
 * - Alibaba Cloud Captcha 2.0: `POST /` form body, `x-acs-action: VerifyIntelligentCaptcha`
 *   (2023-03-05), ACS3-HMAC-SHA256 signed (checked). Auth errors are 404/400 `{ Code, Message }`;
 *   a verdict is `{ RequestId, Success, Code, Result: { VerifyResult, VerifyCode } }` (T001 ok,
 *   F002 empty, F003 unknown ticket, F008 replayed, F012 another scene). Browser:
 *   `/AliyunCaptcha.js`, the "V3 architecture" API: `window.AliyunCaptchaConfig = { region, prefix }`
 *   set by the page, then `initAliyunCaptcha({ SceneId, prefix?, mode, element, button, success,
 *   fail, getInstance, onClose, onError })`; `getInstance(instance)` gets `{ show, hide,
 *   destroyCaptcha }`, a click on `button` shows it too, and `success(captchaVerifyParam)` gets the ticket.
 * - Cloudflare Turnstile: `POST /turnstile/v0/siteverify`, form or JSON `{ secret, response,
 *   remoteip, idempotency_key }` → `{ success, 'error-codes' }`. Browser: `/turnstile/v0/api.js`,
 *   `turnstile.render(container, { sitekey, callback, 'error-callback' })` → widget id, `reset`,
 *   `remove`, `getResponse`; `?onload=name` calls `window[name]()` once loaded.
 *
 * A ticket the fake issued passes once; again it fails as replayed; an unknown one fails.
 * `down(provider, 'error')` answers verification calls with the provider's server error,
 * `down(provider, 'hang')` never answers them; scripts and `/fake/issue` stay up.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CaptchaProvider } from '../../../shared/src/captcha.ts';
import type { RecordedRequest } from './http-fake.ts';
import { verifyTc3 } from './tencent.ts';

export interface FakeCaptchaCredentials {
  tencent: { captchaAppId: string; appSecretKey: string; secretId: string; secretKey: string };
  aliyun: { sceneId: string; prefix: string; accessKeyId: string; accessKeySecret: string };
  turnstile: { siteKey: string; secretKey: string };
}

/** What the fake accepts unless told otherwise (a development server may use these as they are). */
export const FAKE_CAPTCHA_CREDENTIALS: FakeCaptchaCredentials = {
  tencent: {
    captchaAppId: '190000001',
    appSecretKey: 'fake-tencent-app-secret-key',
    secretId: 'AKIDfakecaptcha0000000000000000',
    secretKey: 'fake-tencent-secret-key-0000000000',
  },
  aliyun: {
    sceneId: 'fakescene1',
    prefix: 'fakeprefix',
    accessKeyId: 'LTAIfakecaptcha000000',
    accessKeySecret: 'fake-aliyun-access-key-secret-00000',
  },
  turnstile: { siteKey: '0xFAKESITEKEY000000000', secretKey: '0xFAKESECRETKEY0000000000000000000' },
};

export type FakeCaptchaDown = 'error' | 'hang' | false;

export interface IssuedTicket {
  ticket: string;
  /** Tencent only */
  randstr?: string;
}

export interface FakeCaptcha {
  /** host:port, for CaptchaSettings.tencentEndpoint */
  tencentEndpoint: string;
  /** host:port, for CaptchaSettings.aliyunEndpoint */
  aliyunEndpoint: string;
  /** for CaptchaSettings.turnstileVerifyUrl */
  turnstileVerifyUrl: string;
  /** for CaptchaOperatorSettings.scripts */
  scriptUrls: Record<CaptchaProvider, string>;
  credentials: FakeCaptchaCredentials;
  /** a fresh ticket, as a solved challenge in the browser would give (Tencent: with its randstr) */
  issue(provider: CaptchaProvider): IssuedTicket;
  issueTicket(provider: CaptchaProvider): string;
  /** the provider's verification API answers with its server error, or never; false: back up */
  down(provider: CaptchaProvider, mode: FakeCaptchaDown): void;
  /** the verification calls the provider's API received (not script or ticket fetches) */
  calls(provider: CaptchaProvider): RecordedRequest[];
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';
type Handler = (req: RecordedRequest, url: URL) => Answer;

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const JS_TYPE = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' };
const token = (bytes: number) => randomBytes(bytes).toString('base64url');
const sha256hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function header(req: RecordedRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

async function serve(handler: Handler) {
  const hung = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: parseBody(rawBody, req.headers['content-type']),
      };
      const answer = handler(recorded, new URL(recorded.path, 'http://fake'));
      if (answer === 'hang') {
        hung.add(res);
        return;
      }
      res.writeHead(answer.status, { ...JSON_TYPE, ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** RFC 3986 encoding, as the Alibaba Cloud SDK encodes a canonical query. */
const acsEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Checks an ACS3-HMAC-SHA256 signature as Alibaba Cloud's gateway does; returns the AccessKeyId it names. */
function verifyAcs3(req: RecordedRequest, secretFor: (accessKeyId: string) => string | undefined) {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/.exec(
    header(req, 'authorization'),
  );
  if (!m) return { ok: false as const, code: 'IncompleteSignature' };
  const [, accessKeyId, signedHeaders, signature] = m as unknown as [string, string, string, string];
  const secret = secretFor(accessKeyId);
  if (secret === undefined) return { ok: false as const, code: 'InvalidAccessKeyId.NotFound', status: 404 };
  const url = new URL(req.path, 'http://x');
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${acsEncode(v)}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${header(req, h).trim()}\n`)
    .join('');
  const payloadHash = header(req, 'x-acs-content-sha256');
  const canonicalRequest = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256hex(canonicalRequest)}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  const ok = expected === signature && payloadHash === sha256hex(req.rawBody) && signedHeaders.includes('host');
  return ok ? { ok: true as const, accessKeyId } : { ok: false as const, code: 'SignatureDoesNotMatch', status: 400 };
}

export async function startFakeCaptcha(
  options: { credentials?: Partial<FakeCaptchaCredentials> } = {},
): Promise<FakeCaptcha> {
  const credentials: FakeCaptchaCredentials = { ...FAKE_CAPTCHA_CREDENTIALS, ...options.credentials };
  const downs: Record<CaptchaProvider, FakeCaptchaDown> = { tencent: false, aliyun: false, turnstile: false };
  const calls: Record<CaptchaProvider, RecordedRequest[]> = { tencent: [], aliyun: [], turnstile: [] };
  /** issued and not yet used; `used` remembers spent ones, to tell a replay from an unknown ticket */
  const issued: Record<CaptchaProvider, Map<string, IssuedTicket>> = {
    tencent: new Map(),
    aliyun: new Map(),
    turnstile: new Map(),
  };
  const used: Record<CaptchaProvider, Set<string>> = { tencent: new Set(), aliyun: new Set(), turnstile: new Set() };

  function issue(provider: CaptchaProvider): IssuedTicket {
    const ticket =
      provider === 'tencent'
        ? `tr0${token(48)}`
        : provider === 'aliyun'
          ? JSON.stringify({
              sceneId: credentials.aliyun.sceneId,
              certifyId: token(12),
              deviceToken: token(24),
              data: token(32),
            })
          : `0.${token(96)}`;
    const entry: IssuedTicket = provider === 'tencent' ? { ticket, randstr: `@${token(6)}` } : { ticket };
    issued[provider].set(ticket, entry);
    return entry;
  }

  /** takes a ticket: 'ok' once, then 'replayed'; 'unknown' if never issued */
  function spend(
    provider: CaptchaProvider,
    ticket: string,
  ): { state: 'ok'; entry: IssuedTicket } | { state: 'replayed' | 'unknown' } {
    const entry = issued[provider].get(ticket);
    if (entry) {
      issued[provider].delete(ticket);
      used[provider].add(ticket);
      return { state: 'ok', entry };
    }
    return { state: used[provider].has(ticket) ? 'replayed' : 'unknown' };
  }

  /** the browser-side routes every provider's server has: its script and fresh tickets */
  function browser(provider: CaptchaProvider, url: URL, scriptPath: string, script: () => string): Answer | undefined {
    if (url.pathname === scriptPath) return { status: 200, body: script(), headers: JS_TYPE };
    if (url.pathname === '/fake/issue') {
      const cors = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
      if (url.searchParams.get('provider') !== provider)
        return { status: 404, body: { error: 'unknown provider' }, headers: cors };
      return { status: 200, body: issue(provider), headers: cors };
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------ Tencent
  const tencentError = (Code: string, Message: string): Answer => ({
    status: 200,
    body: { Response: { Error: { Code, Message }, RequestId: randomUUID() } },
  });
  const tencentVerdict = (CaptchaCode: number, CaptchaMsg: string): Answer => ({
    status: 200,
    body: {
      Response: {
        CaptchaCode,
        CaptchaMsg,
        EvilLevel: 0,
        GetCaptchaTime: Math.floor(Date.now() / 1000) - 5,
        EvilBitmap: 0,
        SubmitCaptchaTime: Math.floor(Date.now() / 1000) - 2,
        RequestId: randomUUID(),
      },
    },
  });
  const tencent = await serve((req, url) => {
    const page = browser('tencent', url, '/TJCaptcha.js', () => tencentScript(tencent.url));
    if (page) return page;
    calls.tencent.push(req);
    if (downs.tencent === 'hang') return 'hang';
    if (downs.tencent === 'error') return tencentError('InternalError', 'An internal error occurred.');
    const c = credentials.tencent;
    const sig = verifyTc3(req, c.secretKey);
    if (!('secretId' in sig) || !sig.secretId)
      return tencentError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    if (sig.secretId !== c.secretId) return tencentError('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    if (!sig.valid)
      return tencentError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    if (header(req, 'x-tc-action') !== 'DescribeCaptchaResult') return tencentError('InvalidAction', 'unknown action');
    if (header(req, 'x-tc-version') !== '2019-07-22') return tencentError('NoSuchVersion', 'unknown version');
    const b = req.body;
    if (b.CaptchaType !== 9) return tencentError('InvalidParameterValue', 'CaptchaType must be 9');
    for (const field of ['Ticket', 'UserIp', 'Randstr', 'AppSecretKey'])
      if (typeof b[field] !== 'string') return tencentError('MissingParameter', `missing ${field}`);
    if (typeof b.CaptchaAppId !== 'number') return tencentError('MissingParameter', 'missing CaptchaAppId');
    if (String(b.CaptchaAppId) !== c.captchaAppId) return tencentVerdict(16, 'appid-ticket mismatch');
    if (b.AppSecretKey !== c.appSecretKey) return tencentVerdict(100, 'appid-secretkey-ticket mismatch');
    const spent = spend('tencent', b.Ticket as string);
    if (spent.state !== 'ok')
      return spent.state === 'replayed' ? tencentVerdict(9, 'ticket reused') : tencentVerdict(15, 'decrypt fail');
    if (spent.entry.randstr !== b.Randstr) return tencentVerdict(7, 'captcha no match');
    return tencentVerdict(1, 'OK');
  });

  // ------------------------------------------------------------------------------------ Aliyun
  const aliyunError = (status: number, Code: string, Message: string): Answer => ({
    status,
    body: { RequestId: randomUUID(), HostId: 'captcha.cn-shanghai.aliyuncs.com', Code, Message },
  });
  const aliyunVerdict = (VerifyResult: boolean, VerifyCode: string): Answer => ({
    status: 200,
    body: {
      RequestId: randomUUID(),
      Success: true,
      Code: 'Success',
      Message: 'success',
      Result: { VerifyResult, VerifyCode },
    },
  });
  const aliyun = await serve((req, url) => {
    const page = browser('aliyun', url, '/AliyunCaptcha.js', () => aliyunScript(aliyun.url));
    if (page) return page;
    calls.aliyun.push(req);
    if (downs.aliyun === 'hang') return 'hang';
    if (downs.aliyun === 'error')
      return aliyunError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    const c = credentials.aliyun;
    const auth = verifyAcs3(req, (id) => (id === c.accessKeyId ? c.accessKeySecret : undefined));
    if (!auth.ok) return aliyunError(auth.status ?? 400, auth.code, 'authentication failed');
    if (header(req, 'x-acs-action') !== 'VerifyIntelligentCaptcha')
      return aliyunError(404, 'InvalidAction.NotFound', 'unknown action');
    if (header(req, 'x-acs-version') !== '2023-03-05') return aliyunError(400, 'InvalidVersion', 'unknown version');
    const param = req.body.CaptchaVerifyParam;
    if (typeof param !== 'string' || !param) return aliyunVerdict(false, 'F002');
    const spent = spend('aliyun', param);
    if (spent.state === 'replayed') return aliyunVerdict(false, 'F008');
    if (spent.state === 'unknown') return aliyunVerdict(false, 'F003');
    const sceneId = req.body.SceneId;
    if (sceneId !== undefined && sceneId !== c.sceneId) return aliyunVerdict(false, 'F012');
    return aliyunVerdict(true, 'T001');
  });

  // --------------------------------------------------------------------------------- Turnstile
  const turnstileAnswer = (success: boolean, codes: string[], status = 200): Answer => ({
    status,
    body: success
      ? {
          success,
          'error-codes': [],
          challenge_ts: new Date().toISOString(),
          hostname: 'localhost',
          action: '',
          cdata: '',
        }
      : { success, 'error-codes': codes, messages: [] },
  });
  const turnstile = await serve((req, url) => {
    const page = browser('turnstile', url, '/turnstile/v0/api.js', () => turnstileScript(turnstile.url));
    if (page) return page;
    if (url.pathname !== '/turnstile/v0/siteverify') return { status: 404, body: 'not found' };
    calls.turnstile.push(req);
    if (downs.turnstile === 'hang') return 'hang';
    if (downs.turnstile === 'error') return turnstileAnswer(false, ['internal-error'], 500);
    if (req.method !== 'POST') return turnstileAnswer(false, ['bad-request'], 405);
    const { secret, response } = req.body;
    if (typeof secret !== 'string' || !secret) return turnstileAnswer(false, ['missing-input-secret']);
    if (secret !== credentials.turnstile.secretKey) return turnstileAnswer(false, ['invalid-input-secret']);
    if (typeof response !== 'string' || !response) return turnstileAnswer(false, ['missing-input-response']);
    const spent = spend('turnstile', response);
    if (spent.state === 'replayed') return turnstileAnswer(false, ['timeout-or-duplicate']);
    if (spent.state === 'unknown') return turnstileAnswer(false, ['invalid-input-response']);
    return turnstileAnswer(true, []);
  });

  return {
    tencentEndpoint: tencent.host,
    aliyunEndpoint: aliyun.host,
    turnstileVerifyUrl: `${turnstile.url}/turnstile/v0/siteverify`,
    scriptUrls: {
      tencent: `${tencent.url}/TJCaptcha.js`,
      aliyun: `${aliyun.url}/AliyunCaptcha.js`,
      turnstile: `${turnstile.url}/turnstile/v0/api.js?render=explicit`,
    },
    credentials,
    issue,
    issueTicket: (provider) => issue(provider).ticket,
    down: (provider, mode) => {
      downs[provider] = mode;
    },
    calls: (provider) => calls[provider],
    close: async () => {
      await Promise.all([tencent.close(), aliyun.close(), turnstile.close()]);
    },
  };
}

// ------------------------------------------------------------------------------ browser scripts
// Plain ES2015 without dependencies, as the pages that load them expect of a provider's script.
// `buttons` is shared: a small box with the two buttons, put into `parent` (which may sit in a
// shadow root); the ids are the ones tests click.

const BUTTONS_JS = `
  function buttons(parent, onSolve, onClose) {
    var box = document.createElement('div');
    box.setAttribute('data-fake-captcha', '');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', 'fake-captcha');
    box.style.cssText = 'display:inline-flex;gap:8px;padding:8px;border:1px dashed #888;background:#fff;color:#000;font:14px system-ui,sans-serif';
    var solve = document.createElement('button');
    solve.type = 'button';
    solve.id = 'fake-captcha-solve';
    solve.textContent = 'fake-captcha: verify';
    solve.addEventListener('click', function () { solve.disabled = true; onSolve(); });
    box.appendChild(solve);
    if (onClose) {
      var close = document.createElement('button');
      close.type = 'button';
      close.id = 'fake-captcha-close';
      close.textContent = 'fake-captcha: close';
      close.addEventListener('click', onClose);
      box.appendChild(close);
    }
    // on the page itself it stands in for the providers' pop-ups: fixed, over the page, in view
    if (parent === document.body) box.style.cssText += ';position:fixed;z-index:2147483647;top:40%;left:50%;transform:translate(-50%,-50%);box-shadow:0 4px 24px rgba(0,0,0,.25)';
    parent.appendChild(box);
    return box;
  }
  function issue(provider) {
    return fetch(ORIGIN + '/fake/issue?provider=' + provider, { cache: 'no-store' }).then(function (res) {
      if (!res.ok) throw new Error('fake-captcha: issue failed');
      return res.json();
    });
  }
  function removeBox(box) { if (box && box.parentNode) box.parentNode.removeChild(box); }
`;

function tencentScript(origin: string): string {
  return `/* fake TJCaptcha.js: imitates TencentCaptcha's public API, not its visuals */
(function () {
  var ORIGIN = ${JSON.stringify(origin)};
  ${BUTTONS_JS}
  window.TencentCaptcha = function TencentCaptcha(appId, callback, options) {
    var box = null;
    var appid = String(appId);
    function done(res) { removeBox(box); box = null; callback(res); }
    return {
      show: function () {
        if (box) return;
        box = buttons(document.body, function () {
          issue('tencent').then(
            function (t) { done({ ret: 0, ticket: t.ticket, randstr: t.randstr, appid: appid, CaptchaAppId: appid, bizState: options && options.bizState }); },
            // as the real script does when its own servers fail: a disaster-recovery ticket
            function () { done({ ret: 0, ticket: 'trerror_1001_' + appid + '_' + Math.floor(Date.now() / 1000), randstr: '@' + Math.random().toString(36).slice(2, 8), appid: appid, errorCode: 1001, errorMessage: 'jsload_error' }); }
          );
        }, function () { done({ ret: 2, ticket: '', randstr: '', appid: appid }); });
      },
      destroy: function () { removeBox(box); box = null; },
      getTicket: function () { return { CaptchaAppId: appid, ticket: '' }; }
    };
  };
})();
`;
}

function aliyunScript(origin: string): string {
  return `/* fake AliyunCaptcha.js: imitates Captcha 2.0's V3 browser API (initAliyunCaptcha), not its visuals */
(function () {
  var ORIGIN = ${JSON.stringify(origin)};
  ${BUTTONS_JS}
  function find(target) {
    if (!target) return null;
    return typeof target === 'string' ? document.querySelector(target) : target;
  }
  window.initAliyunCaptcha = function initAliyunCaptcha(options) {
    var config = window.AliyunCaptchaConfig || {};
    var prefix = options.prefix || config.prefix;
    var box = null;
    function onError(code, msg) { if (typeof options.onError === 'function') options.onError({ code: code, msg: msg }); }
    if (!options.SceneId || !prefix) { onError('INIT_PARAM_ERROR', 'SceneId and prefix are required'); return; }
    var instance = {
      show: function () {
        if (box) return;
        var parent = options.mode === 'embed' ? (find(options.element) || document.body) : document.body;
        box = buttons(parent, function () {
          issue('aliyun').then(
            function (t) { removeBox(box); box = null; options.success(t.ticket); },
            function () { removeBox(box); box = null; if (typeof options.fail === 'function') options.fail({ code: 'NETWORK_ERROR' }); onError('NETWORK_ERROR', 'verification service unreachable'); }
          );
        }, function () { removeBox(box); box = null; if (typeof options.onClose === 'function') options.onClose(); });
      },
      hide: function () { removeBox(box); box = null; },
      destroyCaptcha: function () { removeBox(box); box = null; if (trigger) trigger.removeEventListener('click', instance.show); },
      refresh: function () {}
    };
    var trigger = find(options.button);
    if (trigger) trigger.addEventListener('click', instance.show);
    if (options.mode === 'embed') instance.show();
    if (typeof options.getInstance === 'function') options.getInstance(instance);
  };
})();
`;
}

function turnstileScript(origin: string): string {
  return `/* fake Turnstile api.js: imitates window.turnstile's explicit-rendering API, not its visuals */
(function () {
  var ORIGIN = ${JSON.stringify(origin)};
  ${BUTTONS_JS}
  var widgets = {};
  var next = 0;
  function mount(id) {
    var w = widgets[id];
    w.token = '';
    w.box = buttons(w.container, function () {
      issue('turnstile').then(
        function (t) { w.token = t.ticket; if (typeof w.options.callback === 'function') w.options.callback(t.ticket); },
        function () { if (typeof w.options['error-callback'] === 'function') w.options['error-callback']('300010'); }
      );
    }, null);
  }
  window.turnstile = {
    render: function (container, options) {
      var el = typeof container === 'string' ? document.querySelector(container) : container;
      if (!el) throw new Error('[Cloudflare Turnstile] Unable to find a container for ' + container);
      var id = 'cf-chl-widget-fake' + (next++);
      widgets[id] = { container: el, options: options || {} };
      mount(id);
      return id;
    },
    reset: function (id) {
      var w = widgets[id];
      if (!w) return;
      removeBox(w.box);
      mount(id);
    },
    remove: function (id) {
      var w = widgets[id];
      if (!w) return;
      removeBox(w.box);
      delete widgets[id];
    },
    getResponse: function (id) { var w = widgets[id]; return w ? w.token : undefined; },
    isExpired: function () { return false; },
    ready: function (fn) { fn(); }
  };
  var src = document.currentScript && document.currentScript.src;
  var onload = src ? new URL(src).searchParams.get('onload') : null;
  if (onload && typeof window[onload] === 'function') window[onload]();
})();
`;
}
