import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { markResponsesWhileDraining } from './close-http.ts';
import { registerJsonBodyParser } from './json-body-parser.ts';
import { registerMethodNotAllowed } from './method-not-allowed.ts';
import { polishOpenApiDocument } from './openapi-document.ts';
import { registerProblemHandling, sendProblem } from './problem.ts';
import { RequestLog, SLOW_REQUEST_MS_DEFAULT } from './request-log.ts';

export const BODY_LIMIT_BYTES = 16 * 1024;
export const REQUEST_TIMEOUT_MS = 30_000;
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;
/** Credentials never reach a log line, whatever object a header set ends up logged in. */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'request.headers.authorization',
  '*.headers.authorization',
];

export type HttpApp = ReturnType<typeof buildFastify>;

export type RegisteredRoute = { method: string; url: string; hidden: boolean };
const registeredRoutesByApp = new WeakMap<object, RegisteredRoute[]>();

/** Every route the app registered (one entry per method), including hidden ones; for checks and docs. */
export function registeredRoutes(app: HttpApp): RegisteredRoute[] {
  return [...(registeredRoutesByApp.get(app) ?? [])];
}

/**
 * Where log lines go: stdout by default; tests pass a stream to read what the service logged.
 * Requests slower than `slowRequestMs` are logged at warn (request-log.ts).
 */
export type LogOptions = {
  logLevel: string;
  logStream?: LogStream | undefined;
  slowRequestMs?: number | undefined;
};
/** What pino writes to: one JSON line per call. */
export type LogStream = { write(line: string): void };

/** The request id of a message that crossed NATS or Kafka, as `reqId` like in HTTP request logs. */
export function childLogForRequest(log: FastifyBaseLogger, requestId: string | undefined): FastifyBaseLogger {
  return requestId && REQUEST_ID_PATTERN.test(requestId) ? log.child({ reqId: requestId }) : log;
}

/**
 * The Fastify setup both services share: zod validation and serialisation, OpenAPI from the
 * same schemas, problem+json errors, a request id on every request and in every log line.
 * Routes registered after this appear in /openapi.json.
 */
export async function createHttpApp(
  options: {
    name: string;
    version: string;
    description: string;
  } & LogOptions,
): Promise<HttpApp> {
  const app = buildFastify(options.name, options);
  const routes: RegisteredRoute[] = [];
  registeredRoutesByApp.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
  });
  // Scripts written for the original API send GET /getBalance with a JSON body.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });

  // Every body here is JSON; without this, Fastify's built-in text/plain parser would turn a
  // wrong content type into a confusing validation error instead of 415 UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');
  // Amounts are judged by the number as written, not by the double JSON.parse rounds it to.
  registerJsonBodyParser(app);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandling(app);
  registerMethodNotAllowed(app);
  // Callback hooks, not async ones, here and in the other per-request hooks: no promise per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  markResponsesWhileDraining(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.name, version: options.version, description: options.description },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (documents) =>
      'openapiObject' in documents ? polishOpenApiDocument(documents.openapiObject) : documents.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

function buildFastify(name: string, log: LogOptions) {
  return Fastify({
    logger: {
      level: log.logLevel,
      base: { service: name },
      redact: REDACTED_LOG_PATHS,
      ...(log.logStream ? { stream: log.logStream } : {}),
    },
    logController: new RequestLog(log.slowRequestMs ?? SLOW_REQUEST_MS_DEFAULT),
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Off on purpose: with a header name set, Fastify takes the header as it comes and never calls
    // genReqId, so a client could put anything (any length, any characters) into every log line.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    // Errors the router raises before any route runs (a bad %-escape, an over-long path
    // parameter) would otherwise bypass the error handler and leave as plain JSON.
    frameworkErrors: (error, request, reply) => {
      const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URI_TOO_LONG' : 'MALFORMED_URL';
      sendProblem(request, reply, code, error.message);
    },
    return503OnClosing: true,
    // HEAD twins of GET routes would reject GET /getBalance's body schema.
    exposeHeadRoutes: false,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();
}
