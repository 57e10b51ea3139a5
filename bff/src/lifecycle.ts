/**
 * How an entry point (main.ts, main.bun.ts, worker.ts) stops: on SIGTERM/SIGINT cleanly (exit 0),
 * and as a last resort on an error that escaped every handler (exit 1) — docs/operating.md
 * "Supervision". After such an error the process is in a state nobody designed for, so it does
 * not go on serving: it logs, stops accepting, lets requests in flight finish for a short while,
 * closes the database and exits non-zero, and the supervisor (systemd, a container runtime)
 * starts a fresh one. Every step is bounded: a stop that hangs still ends in an exit.
 */
import type { Logger } from './log.ts';

export interface Stoppable {
  /** stop taking new work (close the listener); resolves when work in flight is done */
  stopAccepting(): Promise<void>;
  /** release what is held (worker, database) */
  release(): Promise<void>;
}

/** How long requests in flight may take to finish once the process stops accepting. */
const DRAIN_MS = 5000;
/** After this, the process exits whatever is still pending. */
const HARD_STOP_MS = 10_000;

export function installLifecycle(
  log: Logger,
  target: Stoppable,
  exit: (code: number) => void = (code) => process.exit(code),
) {
  let stopping: Promise<void> | undefined;
  const stop = (code: number) => {
    stopping ??= (async () => {
      setTimeout(() => exit(code), HARD_STOP_MS).unref();
      await Promise.race([target.stopAccepting().catch(() => {}), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
      await target.release().catch(() => {});
      exit(code);
    })();
    return stopping;
  };
  const fatal = (kind: string) => (err: unknown) => {
    log.error(`fatal: ${kind}; stopping (a supervisor restarts the process)`, {
      error: err instanceof Error ? err : new Error(String(err)),
    });
    void stop(1);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  return { stop };
}
