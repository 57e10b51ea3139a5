import { html, type TemplateResult } from 'lit';
import choiceStyles from './choice.css.ts';

/**
 * A group of radio buttons in a fieldset with a legend (e.g. SMS / voice call, or the
 * identity-verification method). `options` are [value, label] pairs; labels come from i18n.
 */
export function renderChoice<T extends string>(
  name: string,
  legend: string,
  options: readonly (readonly [T, string])[],
  selected: T,
  onPick: (value: T) => void,
): TemplateResult {
  return html`<fieldset part="section">
    <legend>${legend}</legend>
    <div class="inline">
      ${options.map(
        ([value, label]) => html`<label class="choice" part="label">
          <input type="radio" name=${name} value=${value} .checked=${value === selected} @change=${() => onPick(value)} />${label}
        </label>`,
      )}
    </div>
  </fieldset>`;
}

/** The code row (code + send button), the channel and consent choices. */
export { choiceStyles };
