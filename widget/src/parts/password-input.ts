import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';

export interface PasswordInputOptions {
  id: string;
  name: string;
  value: string;
  autocomplete: 'current-password' | 'new-password';
  invalid?: boolean;
  describedBy?: string | undefined;
  disabled?: boolean;
  /** the toggle's accessible names, translated by the caller */
  showLabel: string;
  hideLabel: string;
  onInput: (value: string) => void;
}

/**
 * Shows or hides the password by switching the input's type in place: `type` is not a binding, so
 * a re-render keeps what the user chose, and the element needs no state for it.
 */
function toggle(e: Event, showLabel: string, hideLabel: string): void {
  const button = e.currentTarget as HTMLButtonElement;
  const input = button.previousElementSibling as HTMLInputElement | null;
  if (!input) return;
  const shown = input.type === 'password';
  input.type = shown ? 'text' : 'password';
  button.setAttribute('aria-pressed', String(shown));
  button.setAttribute('aria-label', shown ? hideLabel : showLabel);
  input.focus();
}

/** A password field with a show/hide toggle (`part="reveal"`) inside its border. */
export function renderPasswordInput(o: PasswordInputOptions): TemplateResult {
  return html`<div class="password">
    <input
      id=${o.id}
      name=${o.name}
      part="input"
      type="password"
      autocomplete=${o.autocomplete}
      spellcheck="false"
      .value=${o.value}
      ?disabled=${o.disabled}
      aria-invalid=${o.invalid ? 'true' : 'false'}
      aria-describedby=${ifDefined(o.describedBy || undefined)}
      @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
    /><button
      type="button"
      class="reveal"
      part="reveal"
      aria-pressed="false"
      aria-label=${o.showLabel}
      aria-controls=${o.id}
      @click=${(e: Event) => toggle(e, o.showLabel, o.hideLabel)}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2">
        <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
        <circle cx="12" cy="12" r="3" />
      </svg>
    </button>
  </div>`;
}
