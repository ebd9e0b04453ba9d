#!/usr/bin/env bash
# The shared-cache tests run against Redis on 127.0.0.1:6379, as production does when REDIS_URL
# is set (asphub/accounts/tests/test_shared_rate_limits.py). Starts it if it is not answering.
set -euo pipefail
if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then exit 0; fi
echo "==> Starting Redis"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v redis-server >/dev/null; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi
$SUDO mkdir -p /var/lib/redis /var/log/redis
# Nothing kept on disk: the tests need none of it.
$SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && exit 0
  sleep 1
done
echo "Redis did not start on 127.0.0.1:6379" >&2
exit 1
