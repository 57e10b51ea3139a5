/**
 * Helpers of the component tests that run against the REAL BFF started by
 * widget/test/real-bff-plugin.mjs (another origin, so token mode; codes from its dev outbox).
 */
import { expect, waitUntil } from '@open-wc/testing';
import { JdClient } from '../src/client.ts';

export interface BffInfo {
  url: string;
  publishableKey: string;
}

export const PASSWORD = 'Str0ng!pw9';

/** Where the plugin started the BFF, and the test tenant's key. */
export async function loadBff(): Promise<BffInfo> {
  const info = (await (await fetch('/__bff.json')).json()) as BffInfo & { error?: string };
  if (info.error) throw new Error(`real BFF: ${info.error}`);
  return info;
}

/** A fresh mainland mobile number (national digits). */
export function randomPhone(): string {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** The newest code sent to a mainland number, read from the dev outbox as a user reads an SMS. */
export async function latestCode(nationalNumber: string): Promise<string> {
  let code: string | null = null;
  await waitUntil(
    async () => {
      const res = await fetch(`/__bff/outbox?to=${encodeURIComponent(`+86${nationalNumber}`)}`);
      const rows = (await res.json()) as { code: string | null }[];
      code = rows.find((r) => r.code)?.code ?? null;
      return code !== null;
    },
    `no code in the dev outbox for +86${nationalNumber}`,
    { timeout: 5000 },
  );
  return code!;
}

/** Registers through the API in token mode (the token stays in sessionStorage, where the elements find it). */
export async function registerUser(
  bff: BffInfo,
  phone: string,
  accountName = `wtr_${Math.random().toString(36).slice(2, 10)}`,
): Promise<{ client: JdClient; accountName: string }> {
  const client = new JdClient({
    publishableKey: bff.publishableKey,
    apiBase: bff.url,
    sessionMode: 'token',
    locale: 'en',
  });
  const config = await client.config();
  await client.sendCode({ phone: { region: 'CN', number: phone }, purpose: 'register', channel: 'sms' });
  await client.register({
    accountName,
    password: PASSWORD,
    phone: { region: 'CN', number: phone },
    code: await latestCode(phone),
    agreements: config.agreements.map((a) => ({ key: a.key, version: a.version })),
  });
  expect(client.token, 'token mode keeps the bearer token').to.be.a('string');
  return { client, accountName };
}
