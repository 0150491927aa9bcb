# Shared by tests/servers/*/start and stop: sourced, not run. Loopback only.
# The state of a running server lives in $STATE_FILE (the path of its temporary directory);
# `stop` reads it and kills only the PIDs that `start` wrote into that directory.

state_file() { echo "${TMPDIR:-/tmp}/resync-check-$1.state"; }

# wait_greeting PORT SECONDS [tls]: true once 127.0.0.1:PORT sends a line starting with
# `* OK` (over TLS, certificate unchecked, with a third argument). Polls every 0.1 s.
wait_greeting() {
  local port=$1 deadline=$(( $(date +%s) + $2 )) tls=${3:-}
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if python3 - "$port" "$tls" <<'PY' 2>/dev/null; then return 0; fi
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
if sys.argv[2]:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s)
s.settimeout(2)
sys.exit(0 if s.recv(512).startswith(b"* OK") else 1)
PY
    sleep 0.1
  done
  return 1
}

# stop_pid FILE: SIGTERM the PID in FILE (if it still runs), wait up to 10 s, then SIGKILL.
stop_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$file"
}

need_root() {
  if [ "$(id -u)" != 0 ]; then echo "error: $1 must run as root (it starts a mail server)" >&2; exit 2; fi
  # The greeting check, Cyrus's syslog sink and its mailbox set-up are small Python scripts.
  command -v python3 >/dev/null || apt_install python3
  command -v openssl >/dev/null || apt_install openssl
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -q >&2; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}
