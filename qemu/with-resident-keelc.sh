#!/usr/bin/env bash
# Runs a command (make's build of the test images) with a resident keelc answering on
# build/keelc.sock, so its many keelc runs (the test image, the run image, every fixture,
# the fuzzers) share one warm compiler instead of each starting Node, ts-morph and
# TypeScript's lib files cold: about half of each keelc's CPU time. The output is the cold
# compiler's, byte for byte (compiler/src/server.ts; test/compiler/server.test.ts).
#
#   qemu/with-resident-keelc.sh COMMAND...
#
# A server that already answers (make serve) is used and left running; one started here is
# stopped when the command ends, however it ends. With KEELC set (another compiler) or
# KEELC_SERVER=0 the command runs as it is.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
KEELC_JS=compiler/bin/keelc.mjs

if [ -n "${KEELC:-}" ] || [ "${KEELC_SERVER:-1}" = 0 ] || node "$KEELC_JS" serve --status | grep -q ' pid '; then
    exec "$@"
fi

mkdir -p build
# Idle minutes: a server orphaned by a killed make stops on its own soon.
setsid node "$KEELC_JS" serve --idle-minutes 10 >build/keelc-server.log 2>&1 </dev/null &
SERVER=$!
stop() {
    node "$KEELC_JS" serve --stop >/dev/null 2>&1 || kill "$SERVER" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 100); do [ -S build/keelc.sock ] && break; sleep 0.1; done
"$@"
