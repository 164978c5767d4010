export { createTestDatabase, type TestDatabase } from './databases.ts';
export { uniqueNamespace } from './namespace.ts';
export { getStack } from './stack.ts';
