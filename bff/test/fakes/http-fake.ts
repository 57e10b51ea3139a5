/**
 * A tiny recording HTTP server on 127.0.0.1:0 that the provider fakes build on. Each request is
 * recorded (method, path, headers, raw and parsed body); the answer comes from a queue of
 * one-shot overrides (`failNext`, `hangNext`) or else from the provider's success handler.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON or form body, parsed by content type */
  body: Record<string, unknown>;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Override = { kind: 'answer'; answer: FakeAnswer } | { kind: 'hang' };

export interface HttpFake {
  readonly url: string;
  readonly host: string;
  readonly requests: RecordedRequest[];
  /** the next request gets this answer instead of success */
  failNext(answer: FakeAnswer): void;
  /** the next request is held open without an answer until close() */
  hangNext(): void;
  close(): Promise<void>;
}

export type SuccessHandler = (req: RecordedRequest) => FakeAnswer;

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
    return out;
  }
  return {};
}

export async function startHttpFake(onSuccess: SuccessHandler): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  const overrides: Override[] = [];
  const hung = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: parseBody(rawBody, req.headers['content-type']),
      };
      requests.push(recorded);
      const override = overrides.shift();
      if (override?.kind === 'hang') {
        hung.add(res);
        return;
      }
      const answer = override?.kind === 'answer' ? override.answer : onSuccess(recorded);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    failNext: (answer) => overrides.push({ kind: 'answer', answer }),
    hangNext: () => overrides.push({ kind: 'hang' }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (for "unreachable" tests). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
