import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerProblemHandling, sendProblem } from './problem.ts';

export const BODY_LIMIT_BYTES = 16 * 1024;
export const REQUEST_TIMEOUT_MS = 30_000;
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

export type HttpApp = ReturnType<typeof buildFastify>;

/**
 * The Fastify setup both services share: zod validation and serialisation, OpenAPI from the
 * same schemas, problem+json errors, a request id on every request and in every log line.
 * Routes registered after this appear in /openapi.json.
 */
export async function createHttpApp(options: {
  name: string;
  version: string;
  description: string;
  logLevel: string;
}): Promise<HttpApp> {
  const app = buildFastify(options.name, options.logLevel);
  // Scripts written for the original API send GET /getBalance with a JSON body.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });

  // Every body here is JSON; without this, Fastify's built-in text/plain parser would turn a
  // wrong content type into a confusing validation error instead of 415 UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandling(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.name, version: options.version, description: options.description },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

function buildFastify(name: string, logLevel: string) {
  return Fastify({
    logger: {
      level: logLevel,
      base: { service: name },
      redact: ['req.headers.authorization'],
    },
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    requestIdHeader: 'x-request-id',
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
