/**
 * `npm run tenant -- create <slug> --origin <url> [--origin <url>] [--name <display name>] [--live]`
 * `npm run tenant -- list`
 * `npm run tenant -- show <slug>`
 * `npm run tenant -- configure <slug> --json '{"phoneRegions":["CN","HK"],"delivery":{"sms":{"provider":"twilio"}}}'`
 *   (merges the given top-level keys of the tenant config)
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../boot.ts';
import { configureTenant, createTenant, findTenantBySlug, listTenants } from '../services/tenants.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { origin: { type: 'string', multiple: true }, name: { type: 'string' }, live: { type: 'boolean' }, json: { type: 'string' } },
});
const [command, slug] = positionals;
// stdout carries only the command's answer (`show` prints JSON)
const { db } = await openDatabase(process.env, (line) => console.error(line));

function usage(): never {
  console.error("usage: npm run tenant -- create <slug> --origin <url> [--name <name>] [--live] | list | show <slug> | configure <slug> --json '{…}'");
  process.exit(2);
}

try {
  if (command === 'create') {
    if (!slug) usage();
    if (await findTenantBySlug(db, slug)) {
      console.error(`tenant "${slug}" exists already`);
      process.exitCode = 1;
    } else {
      const t = await createTenant(db, { slug, origins: values.origin ?? [], ...(values.name ? { displayName: values.name } : {}), live: values.live ?? false });
      console.log(`created tenant ${t.slug}`);
      console.log(`publishable key: ${t.publishableKey}`);
      console.log(`allowed origins: ${t.config.allowedOrigins.join(', ') || '(none)'}`);
    }
  } else if (command === 'configure') {
    if (!slug || !values.json) usage();
    const t = await findTenantBySlug(db, slug);
    if (!t) {
      console.error(`no tenant "${slug}"`);
      process.exitCode = 1;
    } else {
      const updated = await configureTenant(db, t, JSON.parse(values.json) as Record<string, unknown>);
      console.log(`updated tenant ${updated.slug}: ${Object.keys(JSON.parse(values.json) as object).join(', ')}`);
    }
  } else if (command === 'list') {
    for (const t of await listTenants(db)) console.log(`${t.slug}\t${t.publishableKey}\t${t.config.allowedOrigins.join(' ')}`);
  } else if (command === 'show') {
    if (!slug) usage();
    const t = await findTenantBySlug(db, slug);
    if (!t) {
      console.error(`no tenant "${slug}"`);
      process.exitCode = 1;
    } else console.log(JSON.stringify(t, null, 2));
  } else usage();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
