/**
 * Node entry: config → database → migrations → demo tenant → widget bundle → app → serve.
 * `npm start` runs this on embedded PGlite (./.data/pglite) unless DATABASE_URL is set.
 * The wiring is prepareBff (boot.ts), shared with the Bun entry (main.bun.ts).
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { prepareBff } from './boot.ts';
import { httpServerOptions } from './http/server-options.ts';
import { installLifecycle } from './lifecycle.ts';
import { loggerFromEnv } from './log.ts';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const log = loggerFromEnv(process.env);
// read before the database opens: a bad HTTP_*_MS value stops the start at once
const serverOptions = httpServerOptions(process.env);
const bff = await prepareBff({ port, log, remoteAddress: (c) => getConnInfo(c).remote.address });

// header size and slow-client timeouts: bff/src/http/server-options.ts (docs/operating.md#configuration)
const server = serve({ fetch: bff.app.fetch, port, hostname: host, serverOptions }, (info) =>
  bff.announce(host, info.port),
);

// SIGTERM/SIGINT, and the last resort on an error nothing caught (docs/operating.md "Supervision")
installLifecycle(log, {
  stopAccepting: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // keep-alive connections with no request in flight would hold close() open
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    }),
  release: () => bff.stop(),
});
