# Shared by run.sh, test.sh and bench.sh: install what is missing, then build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGES=(cmake ninja-build g++ ccache pkg-config libabsl-dev libprotobuf-dev protobuf-compiler
  libasio-dev libgtest-dev libgmock-dev librapidcheck-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev redis-server redis-tools python3 python3-redis)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # Debian's redis-server package starts a system service on 6379; we only want the binary.
  if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
    ${sudo:-} systemctl stop redis-server || true
  fi
}

# build DIR BUILD_TYPE [extra cmake args...] -- TARGETS...
build() {
  local dir=$1 type=$2
  shift 2
  local cmake_args=()
  while [[ $# -gt 0 && $1 != "--" ]]; do cmake_args+=("$1"); shift; done
  [[ ${1:-} == "--" ]] && shift
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  # Paths under the checkout are hashed relative to it, so clones and worktrees share the cache.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${cmake_args[@]}" >/dev/null
  cmake --build "$dir" -j "$(nproc)" ${1:+--target "$@"}
}
