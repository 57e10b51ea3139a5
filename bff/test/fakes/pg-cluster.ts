/**
 * A throwaway PostgreSQL cluster for fault tests (and bench:scale's sized server): its own data
 * directory and port, so a test can stop, start and terminate backends without touching the
 * machine's Postgres. Built with the
 * server binaries of the installed major version (Debian: /usr/lib/postgresql/<major>/bin).
 * Postgres refuses to run as root: as root, the commands run as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function serverBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((d) => existsSync(join(base, d, 'bin/pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(base, majors[0], 'bin') : undefined;
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, args: string[]): string {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export interface PgCluster {
  port: number;
  url: string;
  /** the `-c` settings the next start() uses; may be changed while stopped */
  settings: Record<string, string>;
  /** a setting's value as the stopped server would compute it (`postgres -C`), e.g. shared_memory_size_in_huge_pages */
  show(name: string): string;
  start(): void;
  /** fast shutdown: open sessions are cut, as in a crash or failover of the primary */
  stop(): void;
  /** ends every client backend of the database, as a pooler restart or failover does */
  terminateBackends(): void;
  destroy(): void;
}

/** undefined when the machine has no Postgres server binaries (the caller skips). */
export function pgClusterAvailable(): boolean {
  return serverBin() !== undefined;
}

/**
 * `settings` are the server's `-c` settings beyond its port, socket directory and address; the
 * default suits fault tests (no fsync: nothing here outlives the test). A bench passes its own.
 * Started unless `start: false` (then `show` can size what the server will need first).
 */
export function createPgCluster(
  port: number,
  settings: Record<string, string> = { fsync: 'off', max_connections: '60' },
  { start = true }: { start?: boolean } = {},
): PgCluster {
  const bin = serverBin();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'jd-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const settingArgs = () => Object.entries(cluster.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const cluster: PgCluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    settings: { ...settings },
    show: (name) => run(join(bin, 'postgres'), ['-D', data, ...settingArgs(), '-C', name]).trim(),
    start: () => {
      const opts = [`-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, ...settingArgs()].join(' ');
      run(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
    },
    stop: () => {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    terminateBackends: () => {
      execFileSync(join(bin, 'psql'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-qAtc',
        "select count(pg_terminate_backend(pid)) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
      ]);
    },
    destroy: () => {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (start) cluster.start();
  return cluster;
}
