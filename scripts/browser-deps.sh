#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; Playwright's own browser download is not used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "==> Installing Debian's Chromium for the browser tests (apt-get)"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
