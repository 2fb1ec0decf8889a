# Shared by scripts/*.sh. Source it; it defines helpers and sets no traps.
LEADSYNC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LEADSYNC_ROOT

log()  { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0")" "$*" >&2; }
die()  { printf '\033[31m[%s] error:\033[0m %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 (bind to port 0 and read back the port the kernel chose).
free_port() {
  python3 - <<'PY' 2>/dev/null || node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# The build directory used by test.sh and demo.sh (override with LEADSYNC_BUILD_DIR).
build_dir() { printf '%s\n' "${LEADSYNC_BUILD_DIR:-$LEADSYNC_ROOT/build}"; }

# Configure and build (incremental). Extra args go to cmake configure.
build_project() {
  local dir; dir="$(build_dir)"
  local jobs="${LEADSYNC_JOBS:-$(nproc)}"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configuring in $dir"
    local launcher=()
    # A rebuild after a fresh clone or a branch switch mostly hits the cache (a Beast TU costs a minute).
    command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$LEADSYNC_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="${LEADSYNC_BUILD_TYPE:-RelWithDebInfo}" \
      "${launcher[@]}" "$@" >/dev/null
  fi
  log "building with $jobs jobs (first build takes several minutes on 2 cores)"
  cmake --build "$dir" -j "$jobs"
}
