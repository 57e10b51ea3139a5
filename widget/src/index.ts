/**
 * The package entry: importing it defines <jd-register> and <jd-login> (once) and re-exports
 * their classes and the HTTP client for bundlers. dist/jd-account.js is this file, bundled.
 */
import './elements/jd-register.ts';
import './elements/jd-login.ts';

export { JdRegister } from './elements/jd-register.ts';
export { JdLogin } from './elements/jd-login.ts';
export { JdClient, JdApiError, defaultSessionMode, tokenStorageKey } from './client.ts';
