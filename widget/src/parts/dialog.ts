import type { ReactiveController, ReactiveControllerHost } from 'lit';

type Host = ReactiveControllerHost & { readonly renderRoot: ParentNode };

/**
 * A native modal `<dialog>` in the host's shadow root: `showModal()` (focus trap, inert page,
 * Escape closes), focus moved to the first field (or `[autofocus]`) when opened and after each
 * step, and back to the control that opened it when it closes — however it closes.
 */
export class ModalController implements ReactiveController {
  private trigger: HTMLElement | null = null;
  private scope: HTMLElement | null = null;
  /** counts openings; `closing` is the opening that close() ended (see isStaleClose) */
  private generation = 0;
  private closing: number | undefined;

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  /** The host's (one) dialog. */
  get dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog');
  }

  /** Opens the dialog (after the pending render) and remembers who opened it. */
  async open(trigger: Element | null): Promise<void> {
    this.generation++;
    this.trigger = trigger instanceof HTMLElement ? trigger : null;
    this.scope = this.trigger?.parentElement ?? null;
    await this.host.updateComplete;
    const d = this.dialog;
    if (d && !d.open) d.showModal();
    // the step's heading first (docs/elements.md: focus goes to the step's heading), else a field
    const heading = d?.querySelector<HTMLElement>('[data-step-focus]');
    if (heading) heading.focus();
    else await this.focusFirst();
  }

  /** Focuses the first invalid field, else the first field or button of the current step. */
  async focusFirst(): Promise<void> {
    await this.host.updateComplete;
    const d = this.dialog;
    const el =
      d?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      d?.querySelector<HTMLElement>('input, select, a[href], button:not([disabled])');
    el?.focus();
  }

  close(): void {
    const d = this.dialog;
    // a dialog already closed sends no close event: remembering this opening would make the next
    // opening's own close look stale
    if (!d?.open) return;
    this.closing = this.generation;
    d.close();
  }

  /**
   * The dialog's `close` event comes a task after close(): when the dialog was opened again in
   * between (a quick "save, then change the next row"), the event belongs to the old opening and
   * must not reset the new one. Call first thing in the `close` handler.
   */
  isStaleClose(): boolean {
    const stale = this.closing !== undefined && this.closing !== this.generation;
    this.closing = undefined;
    return stale;
  }

  /**
   * Call from the dialog's `close` event: returns focus to the opener or, when the change
   * re-rendered it away ("Bind" became "Unbind"), to the first button beside it.
   */
  closed(): void {
    const t = this.trigger;
    this.trigger = null;
    // no button left beside it (a sub-user's bound MFA): the row's own focusable text
    const row = this.scope?.closest('li');
    (t?.isConnected
      ? t
      : (this.scope?.querySelector<HTMLElement>('button') ?? row?.querySelector<HTMLElement>('button, [tabindex="-1"]'))
    )?.focus();
  }

  hostDisconnected(): void {
    this.dialog?.close();
  }
}
