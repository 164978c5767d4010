-- Runs once, when the postgres container initialises an empty data volume
-- (postgres:15 entrypoint, /docker-entrypoint-initdb.d), as POSTGRES_USER, who owns both.
-- One database per service: neither service can see the other's tables by accident.
-- Keep these names in step with DATABASE_URL in docker-compose.yml (test/compose checks it).
CREATE DATABASE wallet_users;
CREATE DATABASE wallet_transactions;
