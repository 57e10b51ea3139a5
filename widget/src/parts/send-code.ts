import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';

export interface SendCodeOptions {
  /** the button's id (a label or status may point at it) */
  id?: string;
  /** seconds before another code may be asked for (0: it may be sent now) */
  wait: number;
  /** a send is in flight */
  busy: boolean;
  /** another action of the step is in flight */
  disabled: boolean;
  /** the button's text: "Send code" (or "Resend"); `waitLabel` while it counts down */
  label: string;
  waitLabel: (seconds: number) => string;
  /** `part`: "button send-code" unless given; `className`: "btn-secondary send-code" unless given */
  part?: string;
  className?: string;
  onSend: () => void;
}

/**
 * The "Send code" button of every code entry (registration's phone step, the unlock step, the
 * security dialogs' step-up and contact change): busy while a code is on its way, then counting
 * down the seconds before another may be asked for (docs/product.md#4-verification-codes).
 */
export function renderSendCode(o: SendCodeOptions): TemplateResult {
  const waiting = o.wait > 0;
  return html`<button id=${ifDefined(o.id)} type="button" class=${o.className ?? 'btn-secondary send-code'} part=${o.part ?? 'button send-code'} aria-busy=${o.busy ? 'true' : 'false'} ?disabled=${waiting || o.disabled} @click=${o.onSend}>
    ${waiting ? o.waitLabel(o.wait) : o.label}
  </button>`;
}
