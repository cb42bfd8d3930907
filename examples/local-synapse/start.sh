#!/usr/bin/env bash
# A local Matrix homeserver to try Vigie on, in about five minutes, with no
# root: Synapse (from PyPI, as the tests install it), three accounts, a
# community room and a staff room with power levels that work on room
# version 12, and the [[connectors]] entry to paste into a vigie.toml.
#
#   examples/local-synapse/start.sh [DIR] [--port PORT]   start (or show again)
#   examples/local-synapse/start.sh --stop [DIR]          stop
#
# DIR (default ./local-synapse) holds the homeserver's config, database and
# log, the accounts' passwords (passwords.env), and connector.toml.
# Synapse is installed once under $VIGIE_SERVERS_DIR (default: the
# repository's target/servers), shared with the tests.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
servers="${VIGIE_SERVERS_DIR:-$root/target/servers}"
python="$servers/synapse/bin/python"

stop=false
dir=""
port=8008
while [ $# -gt 0 ]; do
  case "$1" in
    --stop) stop=true ;;
    --port) port="${2:?--port needs a number}"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) dir="$1" ;;
  esac
  shift
done
dir="$(mkdir -p "${dir:-./local-synapse}" && cd "${dir:-./local-synapse}" && pwd)"

running() { [ -f "$dir/homeserver.pid" ] && kill -0 "$(cat "$dir/homeserver.pid")" 2>/dev/null; }

if $stop; then
  if running; then
    kill "$(cat "$dir/homeserver.pid")"
    echo "Synapse in $dir stopped."
  else
    echo "No Synapse running from $dir."
  fi
  exit 0
fi

if [ -f "$dir/port" ]; then
  port="$(cat "$dir/port")"
fi
url="http://127.0.0.1:$port"

if ! running; then
  echo "1/4 Installing Synapse under $servers (once; a few minutes the first time)…"
  VIGIE_SERVERS_DIR="$servers" bash "$root/tests/servers/install.sh" synapse

  if [ ! -f "$dir/homeserver.yaml" ]; then
    echo "2/4 Writing a local homeserver config in $dir (server name: localhost, port $port)…"
    echo "$port" > "$dir/port"
    secret="$("$python" -c 'import secrets; print(secrets.token_hex(24))')"
    cat > "$dir/homeserver.yaml" <<EOF
server_name: "localhost"
pid_file: $dir/homeserver.pid
listeners:
  - port: $port
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: $dir/homeserver.db
log_config: $dir/log.yaml
media_store_path: $dir/media
signing_key_path: $dir/signing.key
report_stats: false
registration_shared_secret: "$secret"
macaroon_secret_key: "$("$python" -c 'import secrets; print(secrets.token_hex(24))')"
form_secret: "$("$python" -c 'import secrets; print(secrets.token_hex(24))')"
enable_registration: false
trusted_key_servers: []
suppress_key_server_warning: true
presence:
  enabled: false
# A homeserver for one developer: restarting Vigie (a password login each
# time) many times in a row must not lock its account out.
rc_login:
  address: {per_second: 1, burst_count: 20}
  account: {per_second: 1, burst_count: 20}
EOF
    cat > "$dir/log.yaml" <<EOF
version: 1
formatters:
  f:
    format: '%(asctime)s %(levelname)s %(name)s %(message)s'
handlers:
  file:
    class: logging.FileHandler
    filename: $dir/homeserver.log
    formatter: f
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
EOF
    "$python" -m synapse.app.homeserver --generate-keys -c "$dir/homeserver.yaml" >/dev/null
  fi

  echo "3/4 Starting Synapse on $url (log: $dir/homeserver.log)…"
  "$python" -m synapse.app.homeserver -c "$dir/homeserver.yaml" --daemonize
  for _ in $(seq 1 300); do
    if "$python" -c "import urllib.request,sys; urllib.request.urlopen('$url/health', timeout=1)" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  "$python" -c "import urllib.request; urllib.request.urlopen('$url/health', timeout=2)" 2>/dev/null || {
    echo "Synapse did not answer on $url; see $dir/homeserver.log" >&2
    exit 1
  }
fi

echo "4/4 Accounts and rooms…"
SYNAPSE_URL="$url" SYNAPSE_DIR="$dir" SYNAPSE_BIN="$servers/synapse/bin" "$python" - <<'PY'
import json, os, secrets, subprocess, sys, urllib.error, urllib.parse, urllib.request

url, home, bin_dir = os.environ["SYNAPSE_URL"], os.environ["SYNAPSE_DIR"], os.environ["SYNAPSE_BIN"]
env_file = os.path.join(home, "passwords.env")
passwords = {}
if os.path.exists(env_file):
    for line in open(env_file):
        key, _, value = line.strip().partition("=")
        if key:
            passwords[key] = value
users = {"vigie": "VIGIE_MATRIX_PASSWORD", "staff": "STAFF_PASSWORD", "member": "MEMBER_PASSWORD"}

def call(method, path, token=None, body=None):
    req = urllib.request.Request(url + "/_matrix/client/v3" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        reply = json.loads(e.read() or b"{}")
        reply["status"] = e.code
        return reply

for user, key in users.items():
    if key in passwords:
        continue
    # Hex: no character a shell or an option parser could misread.
    passwords[key] = secrets.token_hex(16)
    done = subprocess.run(
        [os.path.join(bin_dir, "register_new_matrix_user"), "-u", user, "--password=" + passwords[key],
         "--no-admin", "-c", os.path.join(home, "homeserver.yaml"), url],
        capture_output=True, text=True)
    if done.returncode != 0 and "User ID already taken" not in done.stdout + done.stderr:
        sys.exit(f"registering {user} failed: {done.stdout}{done.stderr}")
with open(os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    for key, value in passwords.items():
        f.write(f"{key}={value}\n")

def login(user):
    reply = call("POST", "/login", body={"type": "m.login.password",
                 "identifier": {"type": "m.id.user", "user": user},
                 "password": passwords[users[user]]})
    if "access_token" not in reply:
        sys.exit(f"login as {user} failed: {reply}")
    return reply["access_token"]

staff, member = login("staff"), login("member")

def room(alias, name, members_join):
    known = call("GET", "/directory/room/" + urllib.parse.quote(f"#{alias}:localhost"))
    if "room_id" in known:
        room_id = known["room_id"]
    else:
        # From room version 12 the creator outranks every level and must not
        # be listed in `users`: only the bot is, at 50 (redact, kick, ban).
        reply = call("POST", "/createRoom", staff, {
            "preset": "public_chat", "room_alias_name": alias, "name": name,
            "power_level_content_override": {"users": {"@vigie:localhost": 50}},
        })
        if "room_id" not in reply:
            sys.exit(f"creating #{alias}:localhost failed: {reply}")
        room_id = reply["room_id"]
    if members_join:
        call("POST", "/join/" + urllib.parse.quote(room_id), member, {})
    return room_id

room("community", "Community", True)
room("staff", "Staff", False)
PY

connector="$dir/connector.toml"
cat > "$connector" <<EOF
[[connectors]]
type = "matrix"
community = "acme"                 # the community whose chain handles this room
homeserver = "$url"
user = "@vigie:localhost"
password = "env:VIGIE_MATRIX_PASSWORD"
rooms = ["#community:localhost"]
staff_room = "#staff:localhost"
EOF

cat <<EOF

Synapse runs on $url (server name localhost). Accounts, passwords in
$dir/passwords.env:
  @vigie:localhost   the bot (power 50 in #community: redact, kick, ban)
  @staff:localhost   created both rooms (room version 12: outranks everyone; Vigie counts it as staff)
  @member:localhost  an ordinary member of #community:localhost (automod, faq and giveaway act on them)
Rooms: #community:localhost, and #staff:localhost for flags and alerts.

The [[connectors]] entry (also in $connector):

$(cat "$connector")

Try it with the demo's plugins (the demo's config, its events file
replaced by this room; run from the repository):
  sed -e '/^\[\[sources\]\]/,\$d' -e 's|^data_dir = .*|data_dir = "local-matrix-data"|' \\
    examples/demo/vigie.toml > examples/demo/local-matrix.toml
  cat $connector >> examples/demo/local-matrix.toml
  set -a; . $dir/passwords.env; set +a
  cargo run -- run --config examples/demo/local-matrix.toml

Then write in #community:localhost as @member:localhost, with any Matrix
client pointed at $url (or with curl: see docs/connectors.md).
Stop Synapse: $0 --stop $dir
EOF
