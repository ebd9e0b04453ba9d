#!/usr/bin/env bash
# Debian packages the test command needs: Chromium for the browser tests (Playwright's own
# browser download is not used) and GNU gettext.
set -euo pipefail
# GNU gettext's msgfmt is needed to check that the translations compile.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null || missing+=(gettext)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "==> Installing ${missing[*]} from Debian's packages (apt-get)"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
/usr/bin/chromium --version
