#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 30) each, one after the
# other, and fails on any crash, timeout or out-of-memory report.
#
#   fuzz/run.sh [SECONDS]
#   FUZZ_TARGETS="packed config_faq" fuzz/run.sh 60   # some targets only
#   FUZZ_JOBS=2 fuzz/run.sh 300                       # two targets at once
#   FUZZ_SET=plugins fuzz/run.sh 15                   # the plugin and SDK targets only (CI)
#
# FUZZ_SET=plugins builds without the `host` feature: no nightly build of
# wasmtime and the rest of the host, minutes saved (README.md, "CI").
# demo_chain runs the real plugin components: run.sh builds them with the
# default toolchain, as host/build.rs does, unless VIGIE_FUZZ_PLUGIN_DIR
# already names a directory of them (a normal build's
# target/plugins/wasm32-wasip2/plugin).
#
# Installs what it needs when missing: the nightly toolchain (libFuzzer's
# instrumentation needs it) and cargo-fuzz (pinned: a fresh machine
# compiles it, and a new release must not change the build unseen). Each
# target reads its committed seeds (fuzz/corpus/<target>, never written
# to) and keeps what it finds in fuzz/target/corpus/<target>, so a run
# leaves the repository clean. A crash leaves its input in
# fuzz/artifacts/<target>/ and the log in fuzz/target/logs/<target>.log;
# reproduce it with
# `cargo +nightly fuzz run -s none <target> fuzz/artifacts/<target>/crash-…`.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-30}
jobs=${FUZZ_JOBS:-1}
set=${FUZZ_SET:-all}
case $seconds in '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2 ;; esac
case $set in all | plugins) ;; *) echo "FUZZ_SET must be all or plugins" >&2; exit 2 ;; esac

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "== installing the nightly toolchain"
    # --no-self-update: installing a toolchain must not replace rustup itself
    # (the dist server once "updated" this machine's 1.29.0 to 1.28.2).
    rustup toolchain install nightly --profile minimal --no-self-update
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2
fi

# No sanitizer: the parsers are safe Rust (the one unsafe block on these
# paths, packed.rs's ASCII fast path, is checked by its target), and
# AddressSanitizer would double the build of the host's dependencies and
# halve the executions. Debug assertions and overflow checks stay on.
fuzz=(cargo +nightly fuzz)
build_flags=(-s none --debug-assertions)

# The targets that need the `host` feature, from Cargo.toml.
host_targets=$(awk '/^\[\[bin\]\]/ { name = "" } /^name = / { gsub(/"/, "", $3); name = $3 }
    /^required-features = .*"host"/ { print name }' Cargo.toml)
is_host_target() { grep -qx "$1" <<<"$host_targets"; }

if [[ $set == plugins ]]; then
    build_flags+=(--no-default-features)
    all_targets=$("${fuzz[@]}" list | while read -r t; do is_host_target "$t" || echo "$t"; done)
else
    all_targets=$("${fuzz[@]}" list)
fi
targets=${FUZZ_TARGETS:-$all_targets}
for t in $targets; do
    if [[ $set == plugins ]] && is_host_target "$t"; then
        echo "$t needs the host: not with FUZZ_SET=plugins" >&2
        exit 2
    fi
done

echo "== build ($set)"
build_start=$SECONDS
"${fuzz[@]}" build "${build_flags[@]}"
echo "built in $((SECONDS - build_start)) s"

# $targets: one a line (cargo fuzz list) or one a word (FUZZ_TARGETS).
if [[ " $(echo $targets) " == *" demo_chain "* && -z ${VIGIE_FUZZ_PLUGIN_DIR:-} ]]; then
    # demo_chain loads the real components (host/build.rs writes empty
    # stand-ins in a fuzz build). Built as host/build.rs builds them:
    # the default toolchain, the `plugin` profile, SIMD on. Without the
    # nightly flags of the fuzz build, which are for the host.
    echo "== demo_chain's plugin components"
    plugins_target=${CARGO_TARGET_DIR:-$PWD/target}/plugins
    (
        cd ..
        unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_DIR
        rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
        CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS="-C target-feature=+simd128" \
            cargo build --profile plugin --target wasm32-wasip2 --target-dir "$plugins_target" \
            -p automod -p sentiment -p faq -p giveaway -p poll -p schedule
    )
    export VIGIE_FUZZ_PLUGIN_DIR=$plugins_target/wasm32-wasip2/plugin
fi

mkdir -p target/logs
run_one() {
    local t=$1
    mkdir -p "target/corpus/$t" "corpus/$t"
    # -rss_limit_mb: any input that makes a parser use 2 GB is a bug.
    # -timeout: one input taking 10 s is a hang.
    # -max_len: room for real documents (feeds, configs), not just 4 KB.
    local len=(-max_len=65536)
    # demo_chain: a few hundred runs a second, too few for libFuzzer to
    # grow its inputs from a handful of bytes (one or two events) in a
    # short run; 2 KB holds its 48 operations from the start.
    [[ $t == demo_chain ]] && len=(-max_len=2048 -len_control=0)
    "${fuzz[@]}" run "${build_flags[@]}" "$t" "target/corpus/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 "${len[@]}" \
        -print_final_stats=1 >"target/logs/$t.log" 2>&1
}

summary() {
    local t=$1 status=$2 log="target/logs/$1.log"
    local execs rate cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    printf '%-18s %-6s %12s execs %8s/s  %s\n' "$t" "$status" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}"
}

echo "== run: ${seconds} s per target"
failed=()
results=()
pids=()
names=()
wait_one() {
    local i=$1
    if wait "${pids[$i]}"; then
        results+=("$(summary "${names[$i]}" ok)")
    else
        results+=("$(summary "${names[$i]}" FAILED)")
        failed+=("${names[$i]}")
        echo "-- ${names[$i]} failed; the end of its log:"
        tail -40 "target/logs/${names[$i]}.log"
    fi
}
for t in $targets; do
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    if ((${#pids[@]} - ${#results[@]} >= jobs)); then
        wait_one "${#results[@]}"
    fi
done
while ((${#results[@]} < ${#pids[@]})); do
    wait_one "${#results[@]}"
done

echo "== results"
printf '%s\n' "${results[@]}"
if ((${#failed[@]})); then
    echo "fuzzing failed: ${failed[*]} (inputs in fuzz/artifacts/, logs in fuzz/target/logs/)" >&2
    exit 1
fi
echo "all ${#names[@]} targets ran ${seconds} s each without a crash"
