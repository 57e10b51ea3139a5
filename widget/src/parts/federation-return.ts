/**
 * Taking what the upstream's callback left in the URL fragment (docs/product.md#25-sign-in-with-an-upstream-account),
 * and saying its errors: loaded (with the step that resumes it) only when the page's URL has it
 * (parts/federation.ts federationPending), never with a form's first download.
 */
import { isErrorCode, type ErrorParams } from '../../../shared/src/errors.ts';
import type { Locale, MessageKey } from '../../../shared/src/i18n/index.ts';
import type { TenantPublicConfig } from '../../../shared/src/tenant.ts';
import type { FlowStatus } from '../flow.ts';
import { FEDERATION_ERROR_PARAM, FEDERATION_HANDLE_PARAM, LAST_PROVIDER, fragmentParams, taken } from './federation.ts';

/** What the URL fragment brought back from the upstream. */
export type FederationReturn = { handle: string } | { error: string };

/**
 * Takes the handle or error from the URL fragment, once per page: removes it from the URL at once
 * (history.replaceState, the rest of the fragment kept), so a reload or a shared link does not
 * carry it. The first element to call this gets it; any later call answers undefined.
 */
export function takeFederationReturn(): FederationReturn | undefined {
  const params = fragmentParams();
  if (!params) return undefined;
  const handle = params.get(FEDERATION_HANDLE_PARAM);
  const error = params.get(FEDERATION_ERROR_PARAM);
  taken.add(handle ?? error ?? '');
  params.delete(FEDERATION_HANDLE_PARAM);
  params.delete(FEDERATION_ERROR_PARAM);
  const rest = params.toString();
  try {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  } catch {
    /* a sandboxed frame without history: the handle is one-time anyway */
  }
  return handle ? { handle } : { error: error || 'federation_failed' };
}

/** The provider the user chose last in this tab. */
export function lastProvider(): string | undefined {
  try {
    return sessionStorage.getItem(LAST_PROVIDER) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A provider's name in `locale` (its id when the config does not list it). */
export function providerName(config: TenantPublicConfig | undefined, locale: Locale, id: string | undefined): string {
  const p = config?.federation?.providers.find((x) => x.id === id);
  return p ? (p.displayName[locale] ?? p.displayName.en) : (id ?? '');
}

/**
 * An error of the flow as a status: `{provider}` filled with the provider's name in the element's
 * locale — the error's own, else the one chosen last in this tab, else the tenant's only one.
 */
export function federationError(
  config: TenantPublicConfig | undefined,
  locale: Locale,
  code: string,
  params?: ErrorParams,
  name: (id: string) => string = (id) => providerName(config, locale, id),
): FlowStatus {
  const only = config?.federation?.providers.length === 1 ? config.federation.providers[0].id : undefined;
  const given = params?.['provider'];
  const id = typeof given === 'string' ? given : (lastProvider() ?? only);
  return {
    tone: 'error',
    key: `error.${isErrorCode(code) ? code : 'federation_failed'}` as MessageKey,
    params: { ...params, provider: id ? name(id) : '' },
  };
}
