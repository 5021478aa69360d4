#!/usr/bin/env bash
# Sourced by the set-up scripts. run_with_progress PREFIX WHAT COMMAND...: runs COMMAND and,
# while it runs, prints "PREFIX still WHAT… 40s" every INKWELL_PROGRESS_SECONDS (default 20),
# so a long quiet install (npm prints nothing at --loglevel=error) shows it is alive; then
# "PREFIX WHAT: done in 95s". Returns the command's exit status.
run_with_progress() {
  local prefix=$1 what=$2
  shift 2
  local every=${INKWELL_PROGRESS_SECONDS:-20}
  local start=$SECONDS
  local next=$((start + every))
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
      echo "$prefix still $what… $((SECONDS - start))s"
      next=$((next + every))
    fi
  done
  local rc=0
  wait "$pid" || rc=$?
  if [ "$rc" -eq 0 ]; then echo "$prefix $what: done in $((SECONDS - start))s"; else echo "$prefix $what: failed after $((SECONDS - start))s (exit $rc)"; fi
  return "$rc"
}
