-- Group commit (issue 11): money commands that arrive together run in one transaction of one
-- statement, `SELECT … FROM run_money_batch($1)`, so a batch pays one round trip, one commit (one
-- WAL flush) and one set of plans for what used to cost one of each per command.
--
-- Each command is the same function call it is alone (add_money, withdraw_money, transfer_money),
-- in arrival order, with its own idempotency key, ledger rows, outbox event and result: a refusal
-- returns its verdict and gives its key back, a replay answers from its stored outcome, and
-- neither touches another command. Before the first command runs, every wallet the batch names is
-- locked once, in user_id order; the commands' own locks then find their rows already held, so a
-- batch takes its locks in one ordered pass like a single command does, and two batches cannot
-- deadlock on wallets. An error in any command (a limit the CHECK constraints enforce, a lost
-- key race) rolls the whole batch back: the service then runs each of its commands on its own.
--
-- p_commands is a JSON array of {"fn": name, "wallets": [uuid…], "args": [positional…]}, where
-- args are the function's parameters in order, as JSON text or objects (event headers).
CREATE FUNCTION run_money_batch(p_commands jsonb)
RETURNS TABLE (
  ordinal int, verdict text, status_code int, response jsonb, user_id uuid, balance numeric, detail text
)
LANGUAGE plpgsql AS $$
DECLARE
  v_command jsonb;
  v_args    jsonb;
  v_result  money_command_result;
BEGIN
  -- LockRows sits above the sort, so the rows are locked in user_id order (as in lock_wallets).
  PERFORM 1 FROM users AS w
   WHERE w.user_id IN (
     SELECT named.wallet::uuid
       FROM jsonb_array_elements(p_commands) AS command(value),
            jsonb_array_elements_text(command.value -> 'wallets') AS named(wallet))
   ORDER BY w.user_id
     FOR UPDATE;

  ordinal := 0;
  FOR v_command IN SELECT command.value FROM jsonb_array_elements(p_commands) AS command(value) LOOP
    v_args := v_command -> 'args';
    CASE v_command ->> 'fn'
      WHEN 'transfer_money' THEN
        v_result := transfer_money(v_args ->> 0, v_args ->> 1, v_args ->> 2,
          (v_args ->> 3)::uuid, (v_args ->> 4)::uuid, (v_args ->> 5)::uuid, v_args ->> 6, v_args ->> 7,
          (v_args ->> 8)::uuid, v_args ->> 9, v_args -> 10, (v_args ->> 11)::int);
      WHEN 'add_money' THEN
        v_result := add_money(v_args ->> 0, v_args ->> 1, v_args ->> 2,
          (v_args ->> 3)::uuid, (v_args ->> 4)::uuid, v_args ->> 5, v_args ->> 6,
          (v_args ->> 7)::uuid, v_args ->> 8, v_args -> 9, (v_args ->> 10)::int);
      WHEN 'withdraw_money' THEN
        v_result := withdraw_money(v_args ->> 0, v_args ->> 1, v_args ->> 2,
          (v_args ->> 3)::uuid, (v_args ->> 4)::uuid, v_args ->> 5,
          (v_args ->> 6)::uuid, v_args ->> 7, v_args -> 8, (v_args ->> 9)::int);
      ELSE
        RAISE EXCEPTION 'run_money_batch: % is not a batchable money command', v_command ->> 'fn';
    END CASE;
    verdict := v_result.verdict;
    status_code := v_result.status_code;
    response := v_result.response;
    user_id := v_result.user_id;
    balance := v_result.balance;
    detail := v_result.detail;
    RETURN NEXT;
    ordinal := ordinal + 1;
  END LOOP;
END
$$;
