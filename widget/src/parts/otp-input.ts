import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';

export interface OtpInputOptions {
  id: string;
  value: string;
  /** digits in a whole code (6 for SMS, voice and TOTP codes) */
  length?: number;
  invalid?: boolean;
  describedBy?: string | undefined;
  disabled?: boolean;
  /** each edit, digits only */
  onInput: (digits: string) => void;
  /** the last digit arrived (typed, pasted or filled by the phone's one-time-code suggestion) */
  onComplete?: (digits: string) => void;
}

/** Keeps the digits of what was typed or pasted ("123 456", "１２３４５６" and "code: 123456" alike). */
export function codeDigits(raw: string, length = 6): string {
  return raw.normalize('NFKC').replace(/\D+/g, '').slice(0, length);
}

/**
 * A one-time-code field: numeric keyboard, the phone's SMS-code suggestion
 * (`autocomplete="one-time-code"`), a whole code pasted at once, and `onComplete` on the last
 * digit so the step can submit without another tap.
 */
export function renderOtpInput(o: OtpInputOptions): TemplateResult {
  const length = o.length ?? 6;
  const onInput = (e: Event) => {
    const input = e.target as HTMLInputElement;
    const digits = codeDigits(input.value, length);
    if (input.value !== digits) input.value = digits;
    o.onInput(digits);
    if (digits.length === length) o.onComplete?.(digits);
  };
  return html`<input
    id=${o.id}
    class="otp"
    part="input code-input"
    name="code"
    type="text"
    inputmode="numeric"
    autocomplete="one-time-code"
    pattern=${`[0-9]{${length}}`}
    maxlength=${length * 4}
    spellcheck="false"
    .value=${o.value}
    ?disabled=${o.disabled}
    aria-invalid=${o.invalid ? 'true' : 'false'}
    aria-describedby=${ifDefined(o.describedBy || undefined)}
    @input=${onInput}
  />`;
}
