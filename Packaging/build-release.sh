#!/usr/bin/env bash
# Builds the release binary with the Swift runtime and Foundation linked in statically, checks
# that it needs no Swift library at run time, and prints its path on stdout.
#   bash Packaging/build-release.sh            build, check, print the path
#   bash Packaging/build-release.sh --check B  only check the binary B
set -euo pipefail
cd "$(dirname "$0")/.."

check() {
  local binary=$1 libraries
  if ! libraries=$(ldd "$binary" 2>&1); then
    echo "build-release: ldd $binary failed: $libraries" >&2
    return 1
  fi
  echo "$libraries" | sed 's/^/  /' >&2
  # Anything the Swift toolchain ships must be inside the binary: the runtime, Foundation and
  # its ICU data, Dispatch, the blocks runtime.
  if echo "$libraries" | grep -Eq 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|not found'; then
    echo "build-release: $binary needs a library that a machine without Swift lacks (above)" >&2
    return 1
  fi
}

if [[ ${1:-} == --check ]]; then
  check "$2"
  exit
fi

flags=(-c release --product triage --static-swift-stdlib)
swift build "${flags[@]}" >&2
binary="$(swift build "${flags[@]}" --show-bin-path)/triage"
check "$binary"
echo "$binary"
