/**
 * "Log in with …" (docs/product.md#25-sign-in-with-an-upstream-account): what loads with the
 * elements — the start URL the provider buttons (parts/federation-buttons.ts) and "Link" navigate to, and taking the handle (or error) the upstream's callback left in the URL fragment.
 * Everything after that (the resume, the activation step) is a step module loaded when needed.
 */
import type { JdClient } from '../client.ts';

/*
 * shared/src/federation.ts's FEDERATION_HANDLE_PARAM and FEDERATION_ERROR_PARAM, restated: that
 * module imports zod (its schemas), which must stay out of the bundle (client.ts); a test
 * (widget/test/jd-login-federation.test.ts) checks they are the same.
 */
export const FEDERATION_HANDLE_PARAM = 'jd_federation';
export const FEDERATION_ERROR_PARAM = 'jd_federation_error';

/**
 * The page's navigation, replaceable (tests, or a portal that wants to save its state before the
 * page leaves): the provider buttons and "Link" call `federationNavigation.assign(url)`.
 */
export const federationNavigation = { assign: (url: string): void => location.assign(url) };

/**
 * What the page's elements took from the URL so far (handle or error; parts/federation-return.ts):
 * one element resumes a handle (it is one-time). The URL loses it at once; this also holds where
 * history cannot change.
 */
export const taken = new Set<string>();

/** The fragment's parameters (`#a=1&b=2`), or undefined when it has none of ours not yet taken. */
export function fragmentParams(): URLSearchParams | undefined {
  const hash = location.hash.slice(1);
  if (!hash.includes(FEDERATION_HANDLE_PARAM)) return undefined;
  const params = new URLSearchParams(hash);
  const value = params.get(FEDERATION_HANDLE_PARAM) ?? params.get(FEDERATION_ERROR_PARAM);
  return value !== null && !taken.has(value) ? params : undefined;
}

/**
 * What the page's URL carries that no element has taken yet: a handle, an error, or nothing. Only
 * then does an element load the module that takes and resumes it (parts/federation-return.ts).
 */
export function federationPending(): 'handle' | 'error' | undefined {
  const params = fragmentParams();
  return params ? (params.has(FEDERATION_HANDLE_PARAM) ? 'handle' : 'error') : undefined;
}

/** The page's URL without its fragment: where the upstream sends the browser back. */
export const returnTo = (): string => location.href.replace(/#.*$/, '');

/** sessionStorage: the provider the user chose last in this tab (for the name in an error that comes back without one) */
export const LAST_PROVIDER = 'jd-federation:provider';

/** Navigates the page to the BFF's start URL for `provider`. */
export function startFederation(client: JdClient, provider: string): void {
  try {
    sessionStorage.setItem(LAST_PROVIDER, provider);
  } catch {
    /* storage disabled: an error message names no provider */
  }
  federationNavigation.assign(client.federationStartUrl(provider, returnTo()));
}
