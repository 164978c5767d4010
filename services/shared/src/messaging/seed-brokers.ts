import { randomInt } from 'node:crypto';

/**
 * The broker list as kafkajs takes it from a function: a fresh random order on every call, so each
 * new client starts from a random broker. kafkajs dials its seed brokers in list order from the
 * first for every new producer, consumer or admin, and when that broker accepts the connection and
 * then drops it (a dead broker behind a proxy, a load balancer or our chaos fault proxy) it retries
 * that same broker until it gives up; only a refused connection moves it on (kafkajs issue #368).
 * The services start a fresh producer after every failed send (kafka.ts), so with a fixed order
 * each of those would dial the dead first broker for as long as it stayed down.
 */
export function seedBrokersInRandomOrder(brokers: readonly string[]): () => string[] {
  return () => {
    const order = [...brokers];
    for (let last = order.length - 1; last > 0; last -= 1) {
      const pick = randomInt(last + 1);
      [order[last], order[pick]] = [order[pick]!, order[last]!];
    }
    return order;
  };
}
