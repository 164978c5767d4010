import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTBOX_TABLE_SQL } from '../../services/shared/src/outbox/outbox-sql.ts';
import { MIGRATIONS_DIR } from '../../services/user-service/src/service.ts';

describe('user-service migrations', () => {
  it('Given the shared outbox DDL, When the outbox migration is read, Then it holds exactly that DDL', () => {
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '002-create-outbox.sql'), 'utf8');
    expect(migration).toContain(OUTBOX_TABLE_SQL.trim());
  });
});
