import { connect, type NatsConnection, StringCodec } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStack, uniqueNamespace } from '../support/index.ts';

const requestTimeoutMs = 2_000;

describe('NATS in the test stack', () => {
  const codec = StringCodec();
  const namespace = uniqueNamespace();
  let connection: NatsConnection;

  beforeAll(async () => {
    connection = await connect({ servers: getStack().nats.url, name: `infra-nats-${namespace}` });
  });

  afterAll(async () => {
    await connection?.close();
  });

  it('given a responder on a namespaced subject, when a request is sent, then its reply comes back', async () => {
    // Given
    const subject = `${namespace}.infra.echo`;
    connection.subscribe(subject, {
      callback: (_error, message) => message.respond(codec.encode(`echo:${codec.decode(message.data)}`)),
    });
    await connection.flush();

    // When
    const reply = await connection.request(subject, codec.encode('hello'), { timeout: requestTimeoutMs });

    // Then
    expect(codec.decode(reply.data)).toBe('echo:hello');
  });

  it('given no responder, when a request is sent, then it fails at once with no responders (503)', async () => {
    // Given
    const subject = `${namespace}.infra.nobody`;

    // When
    const failure = await connection
      .request(subject, codec.encode('anyone?'), { timeout: requestTimeoutMs })
      .then(
        () => undefined,
        (error: unknown) => error as { code?: string },
      );

    // Then
    expect(failure?.code).toBe('503');
  });
});
