/**
 * The services under test run with authentication on, as in production, with this operator
 * token; `call` sends it unless a test sets its own Authorization header.
 */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';
export const TEST_AUTH_HEADERS = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
