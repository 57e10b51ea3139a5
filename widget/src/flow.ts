/**
 * One explicit state per flow (docs/elements.md#flows): an element holds a FlowController whose
 * `state` is a discriminated union of steps, e.g.
 *   { step: 'credentials' } | { step: 'mfa'; … } | { step: 'consent'; … } | { step: 'signedIn'; … }
 * The controller owns the transitions, the request in flight and the feedback, so none of them can
 * be left behind by hand:
 *  - feedback belongs to a step: go() to another step, or reset() for another identity, clears it;
 *  - a field's error clears when the user edits that field (clearField);
 *  - the status of an action is kept under the action's name, so the step renders it next to the
 *    button that caused it (statusOf);
 *  - an answer that arrives after the flow moved on (another step, reset, a newer run of the same
 *    action) is dropped: run() resolves `undefined` and touches nothing.
 * After each transition, focus moves to the new step's heading (`[data-step-focus]`, else the
 * first `h2`/`h3` with tabindex="-1") or its first field, once the step is rendered (not while
 * its module loads: `[data-step-loading]`).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ErrorCode, ErrorParams } from '../../shared/src/errors.ts';
import type { MessageKey } from '../../shared/src/i18n/index.ts';
import { JdApiError } from './client.ts';

export interface FlowStatus {
  tone: 'error' | 'ok' | 'info';
  key: MessageKey;
  params?: ErrorParams | undefined;
}

export interface FlowFieldError {
  code: ErrorCode;
  params?: ErrorParams | undefined;
}

type Host = ReactiveControllerHost & { readonly renderRoot: ParentNode };

export class FlowController<S extends { step: string }> implements ReactiveController {
  private current: S;
  /** bumped by every transition; a run started under another generation is stale */
  private generation = 0;
  private readonly runs = new Map<string, number>();
  private readonly statuses = new Map<string, FlowStatus>();
  private readonly fieldErrors = new Map<string, FlowFieldError>();
  private busyAction: string | undefined;
  private focusPending = false;

  constructor(
    private readonly host: Host,
    private readonly initial: S,
  ) {
    this.current = initial;
    host.addController(this);
  }

  get state(): S {
    return this.current;
  }

  /** The action whose request is in flight (its button shows busy; the step's others are disabled). */
  get busy(): string | undefined {
    return this.busyAction;
  }

  isBusy(action?: string): boolean {
    return action === undefined ? this.busyAction !== undefined : this.busyAction === action;
  }

  /**
   * Moves to `next`. A new step (or `fresh`) clears the feedback and moves focus into it, unless
   * `focus` is false: a step the page reached by itself (loaded, or a session from elsewhere) leaves
   * the page's focus where it is.
   */
  go(
    next: S,
    { fresh = next.step !== this.current.step, focus = true }: { fresh?: boolean; focus?: boolean } = {},
  ): void {
    this.current = next;
    if (fresh) {
      this.generation++;
      this.clearFeedback();
      this.busyAction = undefined;
      this.focusPending = focus;
    }
    this.host.requestUpdate();
  }

  /** Back to the first step with nothing left of the previous identity (`focus`: as in go()). */
  reset(state: S = this.initial, focus = true): void {
    this.go(state, { fresh: true, focus });
  }

  /** Changes the current step's data without leaving it (no feedback cleared, no focus move). */
  patch(change: Partial<S>): void {
    this.current = { ...this.current, ...change };
    this.host.requestUpdate();
  }

  /**
   * Runs `action`'s request. Only one action runs at a time (a second call while busy answers
   * undefined); its earlier status and the fields' errors are cleared first. A JdApiError becomes
   * the action's status (and its field issues the fields' errors) unless `onError` handled it
   * (returned true). Resolves the result, or undefined when it failed or the flow moved on.
   */
  async run<T>(
    action: string,
    request: () => Promise<T>,
    onError?: (e: JdApiError) => boolean | void,
  ): Promise<T | undefined> {
    if (this.busyAction !== undefined) return undefined;
    const generation = this.generation;
    const seq = (this.runs.get(action) ?? 0) + 1;
    this.runs.set(action, seq);
    this.statuses.delete(action);
    this.busyAction = action;
    this.host.requestUpdate();
    const current = () => generation === this.generation && this.runs.get(action) === seq;
    try {
      const result = await request();
      return current() ? result : undefined;
    } catch (e) {
      if (!current()) return undefined;
      const err = e instanceof JdApiError ? e : new JdApiError('internal_error', 0);
      if (!onError?.(err)) {
        for (const f of err.fields) this.fieldErrors.set(f.path, { code: f.code, params: f.params });
        if (!err.fields.length)
          this.statuses.set(action, { tone: 'error', key: `error.${err.code}`, params: err.params });
      }
      return undefined;
    } finally {
      if (current()) {
        this.busyAction = undefined;
        this.host.requestUpdate();
      }
    }
  }

  /** The status shown next to `action`'s control. */
  statusOf(action: string): FlowStatus | undefined {
    return this.statuses.get(action);
  }

  setStatus(action: string, status: FlowStatus | undefined): void {
    if (status) this.statuses.set(action, status);
    else this.statuses.delete(action);
    this.host.requestUpdate();
  }

  fieldError(field: string): FlowFieldError | undefined {
    return this.fieldErrors.get(field);
  }

  setFieldError(field: string, error: FlowFieldError | undefined): void {
    if (error) this.fieldErrors.set(field, error);
    else this.fieldErrors.delete(field);
    this.host.requestUpdate();
  }

  /** The user edited `field`: its error is no longer about what is there. */
  clearField(field: string): void {
    if (this.fieldErrors.delete(field)) this.host.requestUpdate();
  }

  /** True when some field has an error (focus goes to the first one marked aria-invalid). */
  get hasFieldErrors(): boolean {
    return this.fieldErrors.size > 0;
  }

  clearFeedback(): void {
    this.statuses.clear();
    this.fieldErrors.clear();
  }

  hostUpdated(): void {
    if (!this.focusPending) return;
    const root = this.host.renderRoot;
    // the step's module is still loading (src/parts/lazy-steps.ts): focus waits for its heading
    if (root.querySelector('[data-step-loading]')) return;
    this.focusPending = false;
    const target =
      root.querySelector<HTMLElement>('[data-step-focus]') ??
      root.querySelector<HTMLElement>('h2[tabindex="-1"], h3[tabindex="-1"]') ??
      root.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea');
    // only when the element already holds focus or the page's focus is nowhere: never steal it from the portal
    const active = document.activeElement;
    if (target && (active === null || active === document.body || active === (this.host as unknown as Element))) {
      target.focus({ preventScroll: false });
    }
  }
}
