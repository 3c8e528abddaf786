#!/usr/bin/env bash
# The peer of `devkit up` in bench/services.mjs: what a team's hand-written start script does —
# initdb + pg_ctl + createdb, redis-server/memcached daemonised, the registry in the background, then poll
# each until it answers. `start <dir> <p1> <p2> <p3> <p4>` / `stop <dir>`.
set -euo pipefail
cmd=$1 d=$2
bin=/usr/lib/postgresql/15/bin
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u devkit --)
if [ "$cmd" = stop ]; then
  "${as[@]}" "$bin/pg_ctl" -D "$d/pg" -m fast -w stop >/dev/null 2>&1 || true
  for f in redis memcached registry; do [ -f "$d/$f.pid" ] && kill "$(cat "$d/$f.pid")" 2>/dev/null || true; done
  exit 0
fi
pg=$3 redis=$4 mc=$5 reg=$6
mkdir -p "$d/pg" "$d/redis" "$d/registry" "$d/sock"
[ ${#as[@]} -gt 0 ] && chown devkit "$d" "$d/pg" "$d/redis" "$d/registry" "$d/sock"
"${as[@]}" "$bin/initdb" -D "$d/pg" -U postgres --auth=trust --no-sync --no-locale -E UTF8 >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$d/pg" -o "-p $pg -h 127.0.0.1 -k $d/sock" -l "$d/pg.log" -w start >/dev/null
"$bin/createdb" -h 127.0.0.1 -p "$pg" -U postgres app
"$bin/createdb" -h 127.0.0.1 -p "$pg" -U postgres app_test
"${as[@]}" redis-server --port "$redis" --bind 127.0.0.1 --dir "$d/redis" --appendonly yes --daemonize yes --pidfile "$d/redis.pid" --logfile "$d/redis.log"
"${as[@]}" memcached -d -l 127.0.0.1 -p "$mc" -U 0 -m 64 -P "$d/memcached.pid"
cat > "$d/registry.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $d/registry } }
http: { addr: 127.0.0.1:$reg }
YML
"${as[@]}" docker-registry serve "$d/registry.yml" >"$d/registry.log" 2>&1 &
echo $! > "$d/registry.pid"
for i in $(seq 1 200); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$pg" && [ "$(redis-cli -p "$redis" ping 2>/dev/null)" = PONG ] \
    && (exec 3<>/dev/tcp/127.0.0.1/"$mc") 2>/dev/null \
    && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$reg/v2/")" = 200 ] && exit 0
  sleep 0.05
done
echo "services did not come up" >&2; exit 1
