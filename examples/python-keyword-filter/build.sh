#!/usr/bin/env bash
# Builds the Python keyword filter into a Vigie plugin component with
# componentize-py.
#
#   examples/python-keyword-filter/build.sh [OUTPUT.wasm]
#
# Writes python_keyword_filter.wasm next to this script unless OUTPUT is
# given. Uses `componentize-py` from PATH when there is one; otherwise a venv
# at ${VIGIE_SERVERS_DIR:-<repo>/target/servers}/pyplug, created (with
# componentize-py==$COMPONENTIZE_PY_VERSION from PyPI) on first use. Running
# it again rebuilds the component and reuses the venv.
set -euo pipefail

COMPONENTIZE_PY_VERSION=0.25.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
wit="$repo/wit"
out="${1:-$here/python_keyword_filter.wasm}"

die() { echo "build.sh: error: $*" >&2; exit 1; }

[ -f "$wit/world.wit" ] || die "the contract is missing: no $wit/world.wit"
[ -f "$here/app.py" ] || die "no app.py in $here"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$(dirname "$out")" || die "cannot create the directory of $out"

if command -v componentize-py >/dev/null 2>&1; then
    cpy="$(command -v componentize-py)"
else
    venv="${VIGIE_SERVERS_DIR:-$repo/target/servers}/pyplug"
    cpy="$venv/bin/componentize-py"
    if ! "$cpy" --version 2>/dev/null | grep -qx "componentize-py $COMPONENTIZE_PY_VERSION"; then
        command -v python3 >/dev/null 2>&1 ||
            die "python3 is needed to install componentize-py (or put componentize-py on PATH)"
        echo "build.sh: installing componentize-py $COMPONENTIZE_PY_VERSION into $venv" >&2
        mkdir -p "$(dirname "$venv")"
        [ -x "$venv/bin/pip" ] || python3 -m venv "$venv" ||
            die "cannot create a venv at $venv (on Debian: apt-get install python3-venv)"
        "$venv/bin/pip" install --quiet "componentize-py==$COMPONENTIZE_PY_VERSION" ||
            die "cannot install componentize-py==$COMPONENTIZE_PY_VERSION from PyPI into $venv"
    fi
fi

# componentize-py writes its work files in the current directory: use a
# temporary one, and write the component through a temporary file so a failed
# build never leaves half a .wasm behind.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "build.sh: $("$cpy" --version) → $out" >&2
# Only the plugin's modules go into the component: not its tests, caches or
# earlier builds.
mkdir "$work/src"
for py in "$here"/*.py; do
    case "$(basename "$py")" in test_*) ;; *) cp "$py" "$work/src/" ;; esac
done
(cd "$work" &&
    "$cpy" -d "$wit" -w plugin componentize --python-path "$work/src" -o "$work/plugin.wasm" app) ||
    die "componentize-py failed (see above)"
mv -f "$work/plugin.wasm" "$out"
echo "build.sh: wrote $out ($(du -h "$out" | cut -f1))" >&2
