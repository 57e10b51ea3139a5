/**
 * React components for the three elements (`import { JdLogin } from 'jd-account/react'`), made
 * with @lit/react: props that are element properties are set as properties (`publishableKey`,
 * `apiBase`, `locale`, `sessionMode`, `registerUrl`, `loginUrl`), the rest go to React as usual,
 * and each event has an `on…` prop with a typed `detail` (widget/src/events.ts). A `ref` gives the
 * element itself, e.g. for `ref.current.getToken()` or `refresh()`.
 *
 * Optional entry point: React is an optional peer dependency, and this module is not part of the
 * standalone bundle (widget/build.ts bundles widget/src/index.ts). Importing it defines the elements.
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { JdRegister as JdRegisterElement } from './elements/jd-register.ts';
import { JdLogin as JdLoginElement } from './elements/jd-login.ts';
import { JdSecuritySettings as JdSecuritySettingsElement } from './elements/jd-security-settings.ts';
import type { JdEventMap } from './events.ts';

export type * from './events.ts';

/** The event name, typed with its event for the `on…` prop. */
const ev = <K extends keyof JdEventMap>(name: K) => name as EventName<JdEventMap[K]>;

export const JdRegister = createComponent({
  react: React,
  tagName: 'jd-register',
  elementClass: JdRegisterElement,
  displayName: 'JdRegister',
  events: {
    onJdRegister: ev('jd-register'),
    onJdError: ev('jd-error'),
    onJdNavigate: ev('jd-navigate'),
  },
});

export const JdLogin = createComponent({
  react: React,
  tagName: 'jd-login',
  elementClass: JdLoginElement,
  displayName: 'JdLogin',
  events: {
    onJdLogin: ev('jd-login'),
    onJdLogout: ev('jd-logout'),
    onJdAgreementsRequired: ev('jd-agreements-required'),
    onJdSession: ev('jd-session'),
    onJdError: ev('jd-error'),
    onJdNavigate: ev('jd-navigate'),
    onJdMfaApplicationSubmitted: ev('jd-mfa-application-submitted'),
  },
});

export const JdSecuritySettings = createComponent({
  react: React,
  tagName: 'jd-security-settings',
  elementClass: JdSecuritySettingsElement,
  displayName: 'JdSecuritySettings',
  events: {
    onJdSecurityChange: ev('jd-security-change'),
    onJdError: ev('jd-error'),
  },
});
