/**
 * dist/jd-security-settings.js: <jd-security-settings> alone (defined on import), for a page that needs only it; shares its
 * chunks (Lit, the client, the parts) with the other entries (widget/build.ts).
 */
export { JdSecuritySettings } from '../elements/jd-security-settings.ts';
export { JdClient, JdApiError, defaultSessionMode, tokenStorageKey } from '../client.ts';
