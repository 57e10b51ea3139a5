/**
 * Drives Demo JD's sign-in (demo/upstream/provider.ts) the way a browser would, with plain fetch:
 * for tests that need an upstream authorization code without a browser.
 */

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** Just enough of a cookie jar for one origin: name + path, Max-Age/Expires deletions. */
class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const attr of attrs) {
        const [key = '', val = ''] = attr.split('=').map((s) => s.trim());
        const k = key.toLowerCase();
        if (k === 'path' && val.startsWith('/')) path = val;
        if (k === 'max-age' && Number(val) <= 0) expired = true;
        if (k === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${name}\n${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  headerFor(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/**
 * Follows an authorization URL through the demo upstream's login as `user` until the redirect
 * leaves the upstream; returns that final Location URL (the BFF's callback with code & state).
 * `cancel`: presses Cancel instead (the final URL then carries `error=access_denied`).
 */
export async function signInAtUpstream(
  authorizationUrl: string,
  user: string,
  opts: { cancel?: boolean } = {},
): Promise<string> {
  const upstreamOrigin = new URL(authorizationUrl).origin;
  const jar = new CookieJar();
  let request: { url: URL; method: 'GET' | 'POST'; body?: URLSearchParams } = {
    url: new URL(authorizationUrl),
    method: 'GET',
  };

  for (let hop = 0; hop < 20; hop++) {
    const cookie = jar.headerFor(request.url);
    const res = await fetch(request.url, {
      method: request.method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), accept: 'text/html' },
      body: request.body,
    });
    jar.store(res);

    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, request.url);
      if (next.origin !== upstreamOrigin) return next.href;
      request = { url: next, method: 'GET' };
      continue;
    }

    const interaction = /^\/interaction\/[A-Za-z0-9_-]+$/.exec(request.url.pathname);
    if (res.status === 200 && request.method === 'GET' && interaction) {
      // The login page: press a user's button, or Cancel (the form's two actions).
      await res.body?.cancel();
      request = {
        url: new URL(`${interaction[0]}/${opts.cancel ? 'abort' : 'login'}`, upstreamOrigin),
        method: 'POST',
        body: new URLSearchParams(opts.cancel ? {} : { user }),
      };
      continue;
    }

    const text = await res.text();
    throw new Error(
      `demo upstream: unexpected ${res.status} at ${request.method} ${request.url.pathname}: ${text.slice(0, 300)}`,
    );
  }
  throw new Error('demo upstream: too many redirects');
}
