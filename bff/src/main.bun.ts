/**
 * Bun entry: the same BFF as main.ts (prepareBff in boot.ts does all the wiring), served by
 * Bun.serve instead of @hono/node-server. `npx bun bff/src/main.bun.ts` — Bun comes from the npm
 * registry as a devDependency. Postgres through node-postgres (DATABASE_URL) or embedded PGlite,
 * passwords through @node-rs/argon2, whose N-API binding Bun loads (docs/operating.md#runtimes).
 */
import { getConnInfo } from 'hono/bun';
import { prepareBff } from './boot.ts';
import { installLifecycle } from './lifecycle.ts';
import { loggerFromEnv } from './log.ts';

// The slice of Bun's API used here (@types/bun would add a dependency and clash with @types/node's globals).
declare const Bun: {
  version: string;
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
  }): { port: number; stop(closeActiveConnections?: boolean): Promise<void> | void };
};

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const log = loggerFromEnv(process.env);
const bff = await prepareBff({ port, log, remoteAddress: (c) => getConnInfo(c).remote.address });

// Bun passes its server as the second argument of fetch; hono/bun's getConnInfo reads the peer from it.
const server = Bun.serve({ port, hostname: host, fetch: (request, srv) => bff.app.fetch(request, srv) });
log.info(`runtime: bun ${Bun.version}`);
bff.announce(host, server.port);

// SIGTERM/SIGINT, and the last resort on an error nothing caught (docs/operating.md "Supervision")
installLifecycle(log, {
  // like Node's server.close(): stop accepting, let requests in flight finish
  stopAccepting: async () => void (await server.stop()),
  release: () => bff.stop(),
});
