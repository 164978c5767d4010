-- The two batch functions whose statements look keys up by a list (claim_batch_keys' read of
-- keys claimed before, write_money_batch's updates) plan each call afresh, for the tables as they
-- are then. PL/pgSQL otherwise keeps a generic plan for the connection's life, and a connection
-- that first ran a batch while the tables were new and never analyzed kept one made for a nearly
-- empty table: one index descent on the scope, then every key of that scope (every transfer's so
-- far) filtered by hand, and a sequential scan of the wallets. Each batch read all of them until
-- autovacuum's first ANALYZE, about a minute in, made PostgreSQL plan again; meanwhile a fresh
-- `npm start` moved about a quarter of the transfers per second it moves later
-- (bench/tuning-notes.md). Neither function loops, so planning each call costs a few statements.
ALTER FUNCTION claim_batch_keys(text, text[], text[]) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION write_money_batch(
  uuid[], numeric[], bigint[], text[], boolean[],
  uuid[], uuid[], bigint[], text[], numeric[], numeric[],
  numeric[], numeric[], uuid[], uuid[], text[],
  timestamptz[], text[],
  uuid[], text, text[], jsonb[], int[], jsonb[],
  text, int, text[], jsonb[], text[]
) SET plan_cache_mode = force_custom_plan;
