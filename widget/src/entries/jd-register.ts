/**
 * dist/jd-register.js: <jd-register> alone (defined on import), for a page that needs only it; shares its
 * chunks (Lit, the client, the parts) with the other entries (widget/build.ts).
 */
export { JdRegister } from '../elements/jd-register.ts';
export { JdClient, JdApiError, defaultSessionMode, tokenStorageKey } from '../client.ts';
