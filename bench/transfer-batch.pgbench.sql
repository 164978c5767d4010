-- One batch of 60 transfers between random wallets of 200 through run_transfer_batch, on its own
-- connection: for pgbench -n -c 1 -f against a database migrated by transactions-service, with 200
-- funded wallets (INSERT INTO users (user_id, balance) SELECT gen_random_uuid(), 1000000 FROM
-- generate_series(1, 200)). What one batch costs PostgreSQL with nothing else running
-- (bench/tuning-notes.md, "One batch alone").
SELECT count(*) FROM (
  WITH u AS (SELECT array_agg(user_id ORDER BY user_id) AS a FROM users),
  p AS (SELECT i, 1 + floor(random() * 200)::int AS f, floor(random() * 199)::int AS d FROM generate_series(1, 60) AS i),
  q AS (SELECT array_agg('k-' || gen_random_uuid()::text ORDER BY i) AS keys,
               array_agg(md5(i::text) ORDER BY i) AS hashes,
               array_agg(gen_random_uuid() ORDER BY i) AS tids,
               array_agg(u.a[f] ORDER BY i) AS froms,
               array_agg(u.a[1 + (f + d) % 200] ORDER BY i) AS tos,
               array_agg('0.01'::text ORDER BY i) AS amounts,
               array_agg(gen_random_uuid() ORDER BY i) AS eids,
               array_agg('{"content-type":"application/json"}'::jsonb ORDER BY i) AS headers
          FROM p, u)
  SELECT r.* FROM q, LATERAL run_transfer_batch('POST /transferMoney', q.keys, q.hashes, q.tids, q.froms, q.tos,
    q.amounts, '1000000000.00', q.eids, 'money-transferred', q.headers, 200) AS r
) AS x WHERE x.verdict = 'done';
