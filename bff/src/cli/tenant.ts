/**
 * `npm run tenant -- create <slug> --origin <url> [--origin <url>] [--name <display name>] [--live]`
 * `npm run tenant -- list`
 * `npm run tenant -- show <slug>`
 * `npm run tenant -- configure <slug> --json '{"phoneRegions":["CN","HK"],"delivery":{"sms":{"provider":"twilio"}}}'`
 *   (merges the given top-level keys of the tenant config; `delivery` per channel, a tenant's own
 *   provider credentials sealed with JD_SECRET and never printed again)
 * `npm run tenant -- real-name <slug> <account name> --type personal|enterprise --name <name> --id-number <no> [--enterprise <name>]`
 *   (`--clear` removes it) — the back office records real-name verification until the admin API exists
 * `npm run tenant -- mfa-applications <slug> [--status pending]`   (JSON, with the mismatch flags)
 * `npm run tenant -- approve-mfa <slug> <application id>` · `reject-mfa <slug> <application id> --reason <text>`
 * `npm run tenant -- admin-keys create <slug> [--label <text>]`   (a secret key for the admin API, printed once)
 * `npm run tenant -- admin-keys list <slug>` (JSON, never the secret) · `admin-keys revoke <slug> <key id>`
 * `npm run tenant -- rotate-keys <slug>`   (a new token signing key signs from now on; the old one stays in the JWKS until its tokens expired)
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../open-database.ts';
import { createAdminKey, listAdminKeys, revokeAdminKey } from '../services/admin-keys.ts';
import { foldAccountName } from '../../../shared/src/rules/account-name.ts';
import { loadConfig } from '../config.ts';
import { createHmac } from '../crypto.ts';
import { findAccountByFoldedName } from '../db/accounts.ts';
import { systemClock } from '../services/deps.ts';
import { listApplications, reviewApplication, setRealName } from '../services/mfa-recovery.ts';
import { AppError } from '../../../shared/src/errors.ts';
import {
  configureTenant,
  createTenant,
  findTenantBySlug,
  listTenants,
  operatorConfigView,
} from '../services/tenants.ts';
import { rotateSigningKey } from '../services/tokens.ts';
import { postgresFileStore } from '../storage/files.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    origin: { type: 'string', multiple: true },
    name: { type: 'string' },
    live: { type: 'boolean' },
    json: { type: 'string' },
    type: { type: 'string' },
    'id-number': { type: 'string' },
    enterprise: { type: 'string' },
    clear: { type: 'boolean' },
    status: { type: 'string' },
    reason: { type: 'string' },
    label: { type: 'string' },
  },
});
const [command, slug] = positionals;
// the same configuration rules as the BFF: in production JD_SECRET and PUBLIC_URL are required
// (docs/security.md#production-what-the-operator-must-set), whatever the command
try {
  loadConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
// stdout carries only the command's answer (`show` prints JSON)
const { db } = await openDatabase(process.env, (line) => console.error(line));

function usage(): never {
  console.error(
    "usage: npm run tenant -- create <slug> --origin <url> [--name <name>] [--live] | list | show <slug> | configure <slug> --json '{…}'" +
      ' | admin-keys create <slug> [--label <text>] | admin-keys list <slug> | admin-keys revoke <slug> <key id>' +
      ' | real-name <slug> <account> --type personal|enterprise --name <n> --id-number <no> [--enterprise <e>] | real-name <slug> <account> --clear' +
      ' | mfa-applications <slug> [--status pending] | approve-mfa <slug> <id> | reject-mfa <slug> <id> --reason <text>' +
      ' | rotate-keys <slug>',
  );
  process.exit(2);
}

try {
  if (command === 'create') {
    if (!slug) usage();
    if (await findTenantBySlug(db, slug)) {
      console.error(`tenant "${slug}" exists already`);
      process.exitCode = 1;
    } else {
      const t = await createTenant(db, {
        slug,
        origins: values.origin ?? [],
        ...(values.name ? { displayName: values.name } : {}),
        live: values.live ?? false,
        // the default agreements link to this BFF's /legal pages, absolute when its https origin is known
        publicUrl: loadConfig().publicUrl,
      });
      console.log(`created tenant ${t.slug}`);
      console.log(`publishable key: ${t.publishableKey}`);
      console.log(`allowed origins: ${t.config.allowedOrigins.join(', ') || '(none)'}`);
      const relative = t.config.agreements.flatMap((a) => Object.values(a.url)).filter((u) => u.startsWith('/'));
      if (relative.length)
        console.error(
          `warning: the default agreement links are paths (${[...new Set(relative)].join(', ')}): on a portal's own ` +
            "origin they lead nowhere. Set PUBLIC_URL to the BFF's https origin before creating tenants, or give " +
            `the tenant its own: npm run tenant -- configure ${t.slug} --json '{"agreements":[…]}'`,
        );
    }
  } else if (command === 'configure') {
    if (!slug || !values.json) usage();
    const t = await findTenantBySlug(db, slug);
    if (!t) {
      console.error(`no tenant "${slug}"`);
      process.exitCode = 1;
    } else {
      // the same JD_SECRET as the BFF: a tenant's own provider credentials are sealed with it
      const updated = await configureTenant(db, t, JSON.parse(values.json) as Record<string, unknown>, {
        secret: loadConfig().secret,
      });
      console.log(`updated tenant ${updated.slug}: ${Object.keys(JSON.parse(values.json) as object).join(', ')}`);
    }
  } else if (
    command === 'real-name' ||
    command === 'mfa-applications' ||
    command === 'approve-mfa' ||
    command === 'reject-mfa'
  ) {
    if (!slug) usage();
    const t = await findTenantBySlug(db, slug);
    if (!t) throw new Error(`no tenant "${slug}"`);
    const config = loadConfig();
    const deps = { db, hmac: createHmac(config.secret), clock: systemClock, onEnqueued: () => {} };
    const arg = positionals[2];
    if (command === 'real-name') {
      if (!arg) usage();
      const account = await findAccountByFoldedName(db, t.id, foldAccountName(arg));
      if (!account) throw new Error(`no account "${arg}" in ${slug}`);
      if (values.clear) await setRealName(deps, t.id, account.id, null);
      else {
        if ((values.type !== 'personal' && values.type !== 'enterprise') || !values.name || !values['id-number'])
          usage();
        await setRealName(deps, t.id, account.id, {
          type: values.type,
          name: values.name,
          idNumber: values['id-number'],
          ...(values.enterprise ? { enterprise: values.enterprise } : {}),
        });
      }
      console.log(`real-name status of ${arg}: ${values.clear ? 'cleared' : values.type}`);
    } else if (command === 'mfa-applications') {
      console.log(JSON.stringify(await listApplications(db, postgresFileStore(db), t.id, values.status), null, 2));
    } else {
      if (!arg) usage();
      if (command === 'reject-mfa' && !values.reason) usage();
      await reviewApplication(
        deps,
        t,
        arg,
        command === 'approve-mfa' ? { approve: true } : { approve: false, reason: values.reason! },
      );
      console.log(`${command === 'approve-mfa' ? 'approved' : 'rejected'} ${arg}`);
    }
  } else if (command === 'rotate-keys') {
    if (!slug) usage();
    const t = await findTenantBySlug(db, slug);
    if (!t) throw new Error(`no tenant "${slug}"`);
    // the same JD_SECRET as the BFF: the new private key is sealed with it
    const rotated = await rotateSigningKey({ db, clock: systemClock, config: loadConfig() }, t.id);
    console.log(`new signing key for ${slug}: ${rotated.kid}`);
    if (rotated.retiredKid)
      console.log(
        `retired ${rotated.retiredKid}: stays in the JWKS until ${rotated.retiredPublishedUntil.toISOString()}`,
      );
  } else if (command === 'admin-keys') {
    // `admin-keys <action> <slug> [key id]`: the action comes first, so the slug is the third word
    const [, action, keySlug, keyId] = positionals;
    if (!keySlug || !['create', 'list', 'revoke'].includes(action ?? '') || (action === 'revoke' && !keyId)) usage();
    const t = await findTenantBySlug(db, keySlug);
    if (!t) throw new Error(`no tenant "${keySlug}"`);
    if (action === 'create') {
      const created = await createAdminKey(db, systemClock, t.id, values.label);
      console.log(`created admin key ${created.keyId} for ${t.slug}`);
      console.log(`secret key (shown only now; store it in your server's secrets): ${created.secretKey}`);
    } else if (action === 'list') {
      console.log(JSON.stringify(await listAdminKeys(db, t.id), null, 2));
    } else {
      if (!(await revokeAdminKey(db, systemClock, t.id, keyId)))
        throw new Error(`no admin key "${keyId}" in ${t.slug}`);
      console.log(`revoked admin key ${keyId}`);
    }
  } else if (command === 'list') {
    for (const t of await listTenants(db))
      console.log(`${t.slug}\t${t.publishableKey}\t${t.config.allowedOrigins.join(' ')}`);
  } else if (command === 'show') {
    if (!slug) usage();
    const t = await findTenantBySlug(db, slug);
    if (!t) {
      console.error(`no tenant "${slug}"`);
      process.exitCode = 1;
    } else console.log(JSON.stringify({ ...t, config: operatorConfigView(t.config) }, null, 2)); // credentials: only whether set
  } else usage();
} catch (err) {
  if (err instanceof AppError && err.fields?.length)
    console.error(`${err.code}: ${err.fields.map((f) => `${f.path || '(config)'} (${f.code})`).join(', ')}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
