/**
 * Node entry: config → database → migrations → demo tenant → widget bundle → app → serve.
 * `npm start` runs this on embedded PGlite (./.data/pglite) unless DATABASE_URL is set.
 * The wiring is prepareBff (boot.ts), shared with the Bun entry (main.bun.ts).
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { prepareBff } from './boot.ts';
import { loggerFromEnv } from './log.ts';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const log = loggerFromEnv(process.env);
const bff = await prepareBff({ port, log, remoteAddress: (c) => getConnInfo(c).remote.address });

const server = serve({ fetch: bff.app.fetch, port, hostname: host }, (info) => bff.announce(host, info.port));

async function shutdown() {
  server.close();
  await bff.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
