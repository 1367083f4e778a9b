# Shared by scripts/run and scripts/test: find Python, build ./.venv, install what is missing.
# Sourced, not run. Every step says what it does; nothing is installed that is already there.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# A failing step under `set -e` would otherwise end the script without a word.
trap 'printf "ioffice: the step at %s line %s failed (exit %s)\n" "${BASH_SOURCE[0]}" "$LINENO" "$?" >&2' ERR

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ioffice: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "cần quyền root để cài gói hệ thống / root is needed to run: $*"
  fi
}

APT_UPDATED=""
apt_install() {
  # apt_install PKG... : installs the Debian packages that are not installed yet.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing system packages (${missing[*]}) and no apt-get to install them"
  say "Installing system packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
  local candidate
  for candidate in "${IOFFICE_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  die "Python 3.11 or newer is needed (set IOFFICE_PYTHON to its path)"
}

ensure_runtime_packages() {
  # WeasyPrint renders with Pango; harfbuzz-subset keeps embedded fonts small.
  if command -v dpkg-query >/dev/null; then
    apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  fi
}

ensure_venv() {
  # ensure_venv [EXTRAS] : .venv with the pinned dependencies (constraints.txt) and ioffice itself.
  local extras="${1:-}" spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -x "$PY" ]; then
    local python; python="$(find_python)"
    say "Creating $VENV with $python"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      # Debian's own Python ships venv's ensurepip separately.
      rm -rf "$VENV"
      apt_install "python3-venv" "python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
      "$python" -m venv "$VENV"
    fi
  fi
  local stamp="$VENV/.installed-$extras"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$ROOT/constraints.txt" -nt "$stamp" ]; then
    say "Installing Python dependencies (pinned in constraints.txt)"
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip
    "$PY" -m pip install -q --disable-pip-version-check -c "$ROOT/constraints.txt" -e "$spec"
    touch "$stamp"
  fi
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PG_DIR=""
start_postgres() {
  # start_postgres : a private PostgreSQL cluster on 127.0.0.1, in a temporary directory, trust auth;
  # exports IOFFICE_DATABASE_URL and stops it when the calling script exits.
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  PG_DIR="$(mktemp -d /tmp/ioffice-pg.XXXXXX)"
  local port; port="$(free_port)"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root.
    chown postgres "$PG_DIR"
    run=(runuser -u postgres -- env -C /)
  fi
  say "Starting PostgreSQL ($bindir) on 127.0.0.1:$port"
  "${run[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
  PG_BINDIR="$bindir"
  PG_RUN=("${run[@]}")
  export IOFFICE_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/ioffice"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  "${PG_RUN[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
