#!/usr/bin/env bash
# Installs the real chat servers the platform tests run against, under
# target/servers/ (no root needed):
#   synapse  Matrix homeserver, from PyPI (matrix-synapse) in a venv
#   ngircd   IRC server, from Debian's package (apt-get download + dpkg -x)
# Usage: tests/servers/install.sh [synapse] [ngircd]   (default: both)
# Idempotent: does nothing for a server already installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${VIGIE_SERVERS_DIR:-$root/target/servers}"
mkdir -p "$dest"
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(synapse ngircd)

for server in "${what[@]}"; do
  case "$server" in
    synapse)
      if [ -x "$dest/synapse/bin/python" ] && "$dest/synapse/bin/python" -c "import synapse" 2>/dev/null; then
        echo "synapse: already installed in $dest/synapse"
        continue
      fi
      echo "synapse: installing matrix-synapse into $dest/synapse (a few minutes)"
      python3 -m venv "$dest/synapse"
      "$dest/synapse/bin/pip" install --quiet --upgrade pip
      "$dest/synapse/bin/pip" install --quiet matrix-synapse
      "$dest/synapse/bin/python" -c "import synapse; print('synapse', synapse.__version__)"
      ;;
    ngircd)
      if command -v ngircd >/dev/null 2>&1 || [ -x "$dest/ngircd/usr/sbin/ngircd" ]; then
        echo "ngircd: already installed"
        continue
      fi
      echo "ngircd: fetching Debian's package into $dest/ngircd"
      tmp="$(mktemp -d)"
      # ngircd and the one library a Debian machine usually lacks.
      if ! (cd "$tmp" && apt-get download ngircd libident >/dev/null 2>&1); then
        # The package lists may be missing on a fresh machine.
        if [ "$(id -u)" = 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
        (cd "$tmp" && apt-get download ngircd libident)
      fi
      for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$dest/ngircd"; done
      rm -rf "$tmp"
      LD_LIBRARY_PATH="$dest/ngircd/usr/lib/x86_64-linux-gnu:$dest/ngircd/usr/lib" \
        "$dest/ngircd/usr/sbin/ngircd" --version | head -1
      ;;
    *)
      echo "unknown server: $server (expected synapse or ngircd)" >&2
      exit 2
      ;;
  esac
done
