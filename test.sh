#!/usr/bin/env bash
# The whole test suite, on a fresh machine of this kind: installs what the tests need when it is
# missing (the PostgreSQL server binaries; the contract tests start their own throwaway cluster),
# then runs every test project. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing PostgreSQL (initdb not found)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL's server binaries are missing: run 'sudo apt-get install -y postgresql' (or run this script as root)." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

exec dotnet test AgentPipeline.slnx --logger "console;verbosity=normal" "$@"
