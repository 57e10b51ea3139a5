/**
 * dist/jd-register-login.js: <jd-register> and <jd-login> (defined on import), for a portal that
 * only signs users up and in; shares its chunks with the other entries (widget/build.ts).
 */
export { JdRegister } from '../elements/jd-register.ts';
export { JdLogin } from '../elements/jd-login.ts';
export { JdClient, JdApiError, defaultSessionMode, tokenStorageKey } from '../client.ts';
