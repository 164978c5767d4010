#!/usr/bin/env bash
# Walks the wallet contract against a running deployment and stops at the first surprise.
#
#   USER_SERVICE_URL          default http://127.0.0.1:8080
#   TRANSACTIONS_SERVICE_URL  default http://127.0.0.1:8081
#   WALLET_TOKEN              optional; sent as "Authorization: Bearer …"
#   SMOKE_WALLET_WAIT_SECONDS how long to wait for new wallets to open (default 30)
#
# Needs bash and curl; reads JSON with jq, node or python3, whichever is there.
# Prints one line per step; exits 1 on the first failure with what it got.
set -euo pipefail

USER_SERVICE_URL="${USER_SERVICE_URL:-http://127.0.0.1:8080}"
TRANSACTIONS_SERVICE_URL="${TRANSACTIONS_SERVICE_URL:-http://127.0.0.1:8081}"
WALLET_WAIT_SECONDS="${SMOKE_WALLET_WAIT_SECONDS:-30}"
REQUEST_TIMEOUT_SECONDS=10
POLL_INTERVAL_SECONDS=0.25

BODY_FILE="$(mktemp)"
trap 'rm -f "$BODY_FILE"' EXIT
STATUS=""
BODY=""

ok() { printf 'ok    %s\n' "$1"; }
fail() {
  printf 'FAIL  %s\n      got HTTP %s: %s\n' "$1" "${STATUS:-none}" "${BODY:-<empty>}" >&2
  exit 1
}

# json_get FIELD: prints a top-level field of $BODY ("" when missing), numbers as JSON writes them.
json_get() {
  if command -v jq >/dev/null 2>&1; then
    printf '%s' "$BODY" | jq -r --arg f "$1" '.[$f] // empty' 2>/dev/null || true
  elif command -v node >/dev/null 2>&1; then
    printf '%s' "$BODY" | node -e '
      let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => {
        try { const v = JSON.parse(t)[process.argv[1]]; if (v !== undefined && v !== null) process.stdout.write(String(v)); } catch {}
      });' "$1" || true
  else
    printf '%s' "$BODY" | python3 -c '
import json, sys
try:
    v = json.load(sys.stdin).get(sys.argv[1])
    if v is not None: sys.stdout.write(json.dumps(v) if not isinstance(v, str) else v)
except Exception: pass' "$1" || true
  fi
}

# http METHOD URL [JSON]: sets STATUS and BODY; a connection failure is status 000.
http() {
  local args=(-sS -X "$1" -o "$BODY_FILE" -w '%{http_code}' --max-time "$REQUEST_TIMEOUT_SECONDS")
  if [[ -n "${WALLET_TOKEN:-}" ]]; then args+=(-H "Authorization: Bearer ${WALLET_TOKEN}"); fi
  if [[ $# -ge 3 ]]; then args+=(-H 'Content-Type: application/json' --data "$3"); fi
  : >"$BODY_FILE"
  STATUS="$(curl "${args[@]}" "$2" 2>/dev/null || true)"
  STATUS="${STATUS:-000}"
  BODY="$(cat "$BODY_FILE" 2>/dev/null || true)"
}

expect_status() { [[ "$STATUS" == "$1" ]] || fail "$2 (expected HTTP $1)"; }

expect_field() {
  local actual
  actual="$(json_get "$1")"
  [[ "$actual" == "$2" ]] || fail "$3 (expected $1 = $2, got '${actual}')"
}

create_user() {
  http POST "$USER_SERVICE_URL/createUser" "{\"email\":\"$1\"}"
  expect_status 201 "createUser $1"
  expect_field email "$1" "createUser $1"
  CREATED_ID="$(json_get user_id)"
  [[ "$CREATED_ID" =~ ^[0-9a-f-]{36}$ ]] || fail "createUser $1 returned no user_id"
  ok "createUser $1 → $CREATED_ID"
}

# Waits until getBalance answers 200 (the user-created event reached transactions-service).
wait_for_wallet() {
  local deadline=$((SECONDS + WALLET_WAIT_SECONDS))
  while :; do
    http GET "$USER_SERVICE_URL/getBalance" "{\"email\":\"$1\"}"
    if [[ "$STATUS" == 200 ]]; then break; fi
    if [[ "$STATUS" != 503 ]] || [[ "$(json_get code)" != WALLET_PENDING ]]; then
      fail "getBalance $1 while the wallet opens (expected 200 or 503 WALLET_PENDING)"
    fi
    ((SECONDS < deadline)) || fail "wallet of $1 did not open within ${WALLET_WAIT_SECONDS}s"
    sleep "$POLL_INTERVAL_SECONDS"
  done
  expect_field balance 0 "new wallet of $1 is empty"
  ok "wallet of $1 is open with balance 0"
}

expect_balance() {
  http GET "$USER_SERVICE_URL/getBalance?email=$1"
  expect_status 200 "getBalance $1"
  expect_field balance "$2" "getBalance $1"
  ok "getBalance $1 = $2"
}

main() {
  local run a b a_id b_id
  run="$(date +%s)-$RANDOM$RANDOM"
  a="smoke-${run}-a@example.com"
  b="smoke-${run}-b@example.com"

  http GET "$USER_SERVICE_URL/healthz"
  expect_status 200 "user-service /healthz at $USER_SERVICE_URL"
  ok "user-service is up at $USER_SERVICE_URL"
  http GET "$TRANSACTIONS_SERVICE_URL/healthz"
  expect_status 200 "transactions-service /healthz at $TRANSACTIONS_SERVICE_URL"
  ok "transactions-service is up at $TRANSACTIONS_SERVICE_URL"

  create_user "$a"
  a_id="$CREATED_ID"
  create_user "$b"
  b_id="$CREATED_ID"
  wait_for_wallet "$a"
  wait_for_wallet "$b"

  http POST "$TRANSACTIONS_SERVICE_URL/addMoney" "{\"user_id\":\"$a_id\",\"amount\":100.0}"
  expect_status 200 "addMoney 100.0 to $a"
  expect_field updated_balance 100 "addMoney 100.0 to $a"
  ok "addMoney 100.0 to $a → 100"

  http POST "$TRANSACTIONS_SERVICE_URL/transferMoney" \
    "{\"from_user_id\":\"$a_id\",\"to_user_id\":\"$b_id\",\"amount_to_transfer\":30.5}"
  expect_status 200 "transferMoney 30.5 from $a to $b"
  ok "transferMoney 30.5 from $a to $b"

  expect_balance "$a" 69.5
  expect_balance "$b" 30.5

  http POST "$TRANSACTIONS_SERVICE_URL/addMoney" "{\"user_id\":\"$a_id\",\"amount\":\"12.345\"}"
  expect_status 400 "addMoney with a bad amount"
  expect_field code INVALID_AMOUNT "addMoney with a bad amount"
  ok "addMoney 12.345 → 400 INVALID_AMOUNT"

  http POST "$USER_SERVICE_URL/createUser" "{\"email\":\"${a^^}\"}"
  expect_status 409 "createUser with a taken email in upper case"
  expect_field code EMAIL_TAKEN "createUser with a taken email in upper case"
  ok "createUser ${a^^} → 409 EMAIL_TAKEN"

  expect_balance "$a" 69.5
  printf 'smoke passed\n'
}

main "$@"
