/**
 * dist/jd-login.js: <jd-login> alone (defined on import), for a page that needs only it; shares its
 * chunks (Lit, the client, the parts) with the other entries (widget/build.ts).
 */
export { JdLogin } from '../elements/jd-login.ts';
export { JdClient, JdApiError, defaultSessionMode, tokenStorageKey } from '../client.ts';
