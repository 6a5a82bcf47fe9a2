#!/usr/bin/env bash
# Clean build of `examples/hello` at two commits, one after the other: crates compiled (the
# `Compiling` lines of cargo's output) and wall time. Each build gets a fresh target directory.
#
#   bash benches/hello-build/run.sh <before-commit> <after-commit>
set -euo pipefail
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/before" 2>/dev/null || true;
      git -C "$root" worktree remove --force "$work/after" 2>/dev/null || true; rm -rf "$work"' EXIT
for side in before after; do
    commit=$1; [ "$side" = after ] && commit=$2
    git -C "$root" worktree add -q --detach "$work/$side" "$commit"
    start=$(date +%s.%N)
    (cd "$work/$side" && CARGO_TARGET_DIR="$work/target-$side" cargo build -p hello >"$work/$side.log" 2>&1)
    end=$(date +%s.%N)
    printf '%s (%s): %s crates compiled, %.1f s wall\n' "$side" "$commit" \
        "$(grep -c '^ *Compiling' "$work/$side.log")" "$(echo "$end - $start" | bc)"
done
uptime
