#!/usr/bin/env bash
# The test command. It installs what the tests need that a fresh Debian 12 machine lacks, then runs every test:
#   - Debian's chromium and chromium-driver, for the dashboard's browser test;
#   - postgresql-15's server binaries, for the tests against a private PostgreSQL server.
# Fashion-MNIST needs nothing here: the tests find it as a run does (see the README).
# Installing needs root (or sudo); the package lists are updated first when they are older than a day or missing.
# Arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    echo "scripts/test.sh: needs root to install: $*; install the packages named there, or run as root" >&2
    exit 1
  fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${missing[*]}"
  # A machine whose package lists were never updated cannot find any package.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
    as_root apt-get update -qq
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

exec dotnet test "$@"
