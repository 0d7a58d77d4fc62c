#!/usr/bin/env bash
# Runs a server for a test and ends it when the test process goes away: on TERM/INT, or when this
# script's standard input (a pipe from the test process) closes, which also happens when the test
# process is killed. So a crashed or timed-out test run leaves no etcd or kube-apiserver behind.
#   watchdog.sh <command> [args...]
set -u
exec 3<&0
"$@" </dev/null &
child=$!
stop() { kill -TERM "$child" 2>/dev/null; }
trap stop TERM INT
{ cat <&3 >/dev/null; stop; } &
watcher=$!
wait "$child"
status=$?
# A trapped TERM interrupts `wait`: wait again for the child to finish shutting down.
while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
kill "$watcher" 2>/dev/null
exit "$status"
