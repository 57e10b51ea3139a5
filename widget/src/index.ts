/**
 * The package entry: importing it defines <jd-register>, <jd-login> and <jd-security-settings> (once) and re-exports
 * their classes and the HTTP client for bundlers. dist/jd-account.js is this file, bundled.
 */
import './elements/jd-register.ts';
import './elements/jd-login.ts';
import './elements/jd-security-settings.ts';

export { JdRegister } from './elements/jd-register.ts';
export { JdLogin } from './elements/jd-login.ts';
export { JdSecuritySettings, type SecurityChange } from './elements/jd-security-settings.ts';
export { JdClient, JdApiError, defaultSessionMode, tokenStorageKey } from './client.ts';

export type * from './events.ts';
