#!/usr/bin/env bash
# Builds a Go tool that tests use as a real server or oracle, once, into a cache outside the
# repository, and prints the binary's path.
#
#   test/support/go-tools/build.sh <tool>
#
# test/support/go-tools/<tool>/ is a small wrapper module: go.mod (and go.sum) requiring the
# published module at a pinned version, optionally a main.go, and tool.env, which sets
#   PACKAGE  the package to build (default ".", the wrapper's main.go)
#   LDFLAGS  optional linker flags (e.g. -X version stamps)
# The cache key is the wrapper's files and the Go version, so a version bump rebuilds.
# Cache: $TOLLGATE_TOOLS_CACHE, default ~/.cache/tollgate-tools. Concurrent builds of one tool wait
# for each other (flock). Nothing is written into the repository.
set -euo pipefail
tool=${1:?usage: build.sh <tool>}
here=$(cd "$(dirname "$0")" && pwd)
src="$here/$tool"
[ -d "$src" ] || { echo "build.sh: no wrapper module for '$tool' at $src" >&2; exit 2; }
command -v go >/dev/null 2>&1 || { echo "build.sh: go is not installed (needed to build $tool)" >&2; exit 3; }

cache=${TOLLGATE_TOOLS_CACHE:-$HOME/.cache/tollgate-tools}
key=$( (go version; cd "$src" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)
out="$cache/$tool-$key"
bin="$out/$tool"
mkdir -p "$cache"
exec 9>"$cache/$tool.lock"
flock 9
if [ ! -x "$bin" ]; then
  PACKAGE=.
  LDFLAGS=
  # shellcheck disable=SC1091
  [ -f "$src/tool.env" ] && . "$src/tool.env"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -R "$src/." "$work/"
  echo "build.sh: building $tool ($PACKAGE) into $out" >&2
  start=$(date +%s)
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "$LDFLAGS" -o "$work/$tool" "$PACKAGE")
  mkdir -p "$out.tmp" && mv "$work/$tool" "$out.tmp/$tool" && rm -rf "$out" && mv "$out.tmp" "$out"
  echo "build.sh: built $tool in $(( $(date +%s) - start )) s" >&2
fi
echo "$bin"
