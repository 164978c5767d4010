import { describe, expect, it } from 'vitest';
import { AppError } from '../../services/shared/src/errors.ts';
import { createHttpApp, type HttpApp } from '../../services/shared/src/http/create-http-app.ts';
import { captureLogs, type LogCapture } from '../support/index.ts';

const PINO_LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

async function appLoggingTo(logs: LogCapture, logLevel: string, slowRequestMs?: number): Promise<HttpApp> {
  const app = await createHttpApp({
    name: 'request-log-test',
    version: '0',
    description: 'request logging',
    logLevel,
    logStream: logs.stream,
    slowRequestMs,
  });
  app.get('/fast', async () => ({ ok: true }));
  app.get('/refused', async () => {
    throw new AppError('DATABASE_UNAVAILABLE', 'the database did not answer');
  });
  app.get('/broken', async () => {
    throw new Error('a bug');
  });
  app.get('/client-error', async () => {
    throw new AppError('INVALID_EMAIL', 'not an email');
  });
  await app.ready();
  return app;
}

const requestLines = (logs: LogCapture) =>
  logs.lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed');

describe('request logging', () => {
  it('Given LOG_LEVEL info, When requests succeed quickly or fail on client input, Then no request line is written', async () => {
    const logs = captureLogs();
    const app = await appLoggingTo(logs, 'info');
    try {
      expect((await app.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/client-error' })).statusCode).toBe(400);
      expect(requestLines(logs)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('Given LOG_LEVEL info, When requests answer 5xx, Then each is logged at warn with its method, URL, status and time', async () => {
    const logs = captureLogs();
    const app = await appLoggingTo(logs, 'info');
    try {
      const refused = await app.inject({
        method: 'GET',
        url: '/refused',
        headers: { 'x-request-id': 'r-503' },
      });
      expect(refused.statusCode).toBe(503);
      const broken = await app.inject({
        method: 'GET',
        url: '/broken',
        headers: { 'x-request-id': 'r-500' },
      });
      expect(broken.statusCode).toBe(500);

      const completed = requestLines(logs);
      expect(completed).toHaveLength(2);
      expect(completed).toMatchObject([
        {
          level: PINO_LEVEL.warn,
          msg: 'request completed',
          req: { method: 'GET' },
          res: { statusCode: 503 },
        },
        {
          level: PINO_LEVEL.warn,
          msg: 'request completed',
          req: { method: 'GET' },
          res: { statusCode: 500 },
        },
      ]);
      expect(completed.every((line) => typeof line.responseTime === 'number')).toBe(true);
      expect(completed.map((line) => line.reqId)).toEqual(['r-503', 'r-500']);
      // The bug itself is still logged with its error, under the same request id.
      expect(logs.lines.find((line) => line.msg === 'unhandled error')).toMatchObject({
        level: PINO_LEVEL.error,
        reqId: 'r-500',
      });
    } finally {
      await app.close();
    }
  });

  it('Given a slow-request threshold of 0 ms, When a request succeeds, Then it counts as slow and is logged at warn', async () => {
    const logs = captureLogs();
    const app = await appLoggingTo(logs, 'info', 0);
    try {
      await app.inject({ method: 'GET', url: '/fast' });
      expect(requestLines(logs)).toMatchObject([
        { level: PINO_LEVEL.warn, msg: 'request completed', req: { url: '/fast' }, res: { statusCode: 200 } },
      ]);
    } finally {
      await app.close();
    }
  });

  it('Given LOG_LEVEL debug, When a request succeeds, Then both request lines are written at debug', async () => {
    const logs = captureLogs();
    const app = await appLoggingTo(logs, 'debug');
    try {
      await app.inject({ method: 'GET', url: '/fast', headers: { 'x-request-id': 'r-debug' } });
      expect(requestLines(logs).map((line) => [line.msg, line.level, line.reqId])).toEqual([
        ['incoming request', PINO_LEVEL.debug, 'r-debug'],
        ['request completed', PINO_LEVEL.debug, 'r-debug'],
      ]);
    } finally {
      await app.close();
    }
  });
});
