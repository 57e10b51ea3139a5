import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Seconds left before a code may be sent again; re-renders its host every second. */
export class CountdownController implements ReactiveController {
  remaining = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private endsAt = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get running(): boolean {
    return this.remaining > 0;
  }

  start(seconds: number): void {
    this.stop();
    if (!(seconds > 0)) return;
    this.endsAt = Date.now() + seconds * 1000;
    this.remaining = Math.ceil(seconds);
    this.timer = setInterval(() => this.tick(), 1000);
    this.host.requestUpdate();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.remaining = 0;
  }

  private tick(): void {
    this.remaining = Math.max(0, Math.ceil((this.endsAt - Date.now()) / 1000));
    if (this.remaining === 0) this.stop();
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.stop();
  }
}
