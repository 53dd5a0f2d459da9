#!/usr/bin/env bash
# The real parts the tests need: a moto server (the AWS API) and a private
# dockerd with a tiny busybox image. Everything lives under $TEST_ENV_DIR and
# stops with `down`.
#
#   scripts/test/test-env.sh up               start what is missing, print `export` lines
#   scripts/test/test-env.sh down             stop what `up` started
#   scripts/test/test-env.sh restart-dockerd  stop and start the private dockerd (fault tests)
#   scripts/test/test-env.sh restart-moto     restart moto empty on the same port (fault tests)
#   scripts/test/test-env.sh site-images NAME...
#                                             build ecsdns-test/<NAME>:1 on $DOCKER_HOST: busybox httpd
#                                             on port 80 answering "NAME" at / and at /NAME/ (what an ALB
#                                             forwards for the path /NAME/), for the local platform's tests
#
# A variable that is already set is used as is: MOTO_URL (an emulator you run),
# DOCKER_HOST (a Docker engine you run), TEST_IMAGE (an image it has).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=${TEST_ENV_DIR:-$root/.test-env}
mkdir -p "$state"
state=$(cd "$state" && pwd) # absolute: the emulator's launcher runs from $root
log() { echo "test-env: $*" >&2; }

wait_for() { # wait_for <seconds> <command...>
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# The project's one emulator launcher (scripts/emulator/launch.ts), as local:up and the tests use it.
emulator() { (cd "$root" && node --require tsx/cjs scripts/emulator/cli.ts "$@"); }

start_moto() { # start_moto [port]: on a free port unless given; waits until it answers
  local port
  port=$(emulator start --log-file "$state/moto.log" --pid-file "$state/moto.pid" ${1:+--port "$1"}) ||
    { log "moto did not start, see $state/moto.log"; exit 1; }
  echo "$port" >"$state/moto.port"
}

stop_pidfile() { # stop_pidfile <file> [seconds]
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  wait_for "${2:-20}" bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

docker_dir() { cat "$state/docker.dir"; }

start_dockerd() {
  local dir; dir=$(docker_dir)
  # Short socket path: unix sockets are limited to 108 bytes.
  dockerd --host "unix://$dir/docker.sock" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/docker.pid" >>"$state/dockerd.log" 2>&1 &
  echo $! >"$state/dockerd.pid"
  wait_for 60 docker -H "unix://$dir/docker.sock" info || { log "dockerd did not start, see $state/dockerd.log"; exit 1; }
}

busybox_rootfs() { # busybox_rootfs <dir>: a static busybox with sh, httpd, sleep, nc, wget
  local busybox
  busybox=$(command -v busybox || true)
  if ! { [[ -n $busybox ]] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; }; then
    log "a static busybox is needed for the test image (apt-get install busybox-static)"
    exit 1
  fi
  mkdir -p "$1/bin" "$1/www"
  cp "$busybox" "$1/bin/busybox"
  for l in sh httpd sleep nc wget; do ln -s busybox "$1/bin/$l"; done
}

import_image() { # import_image <docker host> <name>
  docker -H "$1" image inspect "$2" >/dev/null 2>&1 && return 0
  local rootfs
  rootfs=$(mktemp -d)
  busybox_rootfs "$rootfs"
  echo ok >"$rootfs/www/index.html"
  tar -C "$rootfs" -c . | docker -H "$1" import - "$2" >/dev/null
  rm -rf "$rootfs"
}

site_images() { # site_images <name>...
  local host=${DOCKER_HOST:?site-images needs DOCKER_HOST} name rootfs
  for name in "$@"; do
    [[ $name =~ ^[a-z][a-z0-9-]*$ ]] || { log "site-images: $name is not a container name"; exit 2; }
    docker -H "$host" image inspect "ecsdns-test/$name:1" >/dev/null 2>&1 && continue
    rootfs=$(mktemp -d)
    busybox_rootfs "$rootfs"
    mkdir -p "$rootfs/www/$name"
    echo "$name" >"$rootfs/www/index.html"
    echo "$name" >"$rootfs/www/$name/index.html"
    # httpd as PID 1 ignores SIGTERM; ECS stops it with SIGKILL after its stop timeout.
    tar -C "$rootfs" -c . | docker -H "$host" import --change 'CMD ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]' - "ecsdns-test/$name:1" >/dev/null
    rm -rf "$rootfs"
  done
}

up() {
  if [[ -z ${MOTO_URL:-} ]]; then
    if [[ -f $state/moto.pid ]] && kill -0 "$(cat "$state/moto.pid")" 2>/dev/null; then
      :
    else
      start_moto
    fi
    MOTO_URL="http://127.0.0.1:$(cat "$state/moto.port")"
  fi
  if [[ -z ${DOCKER_HOST:-} ]]; then
    command -v dockerd >/dev/null || { log "dockerd is not installed (apt-get install docker.io)"; exit 1; }
    [[ -f $state/docker.dir ]] || mktemp -d /tmp/ecsdns-docker.XXXXXX >"$state/docker.dir"
    if ! { [[ -f $state/dockerd.pid ]] && kill -0 "$(cat "$state/dockerd.pid")" 2>/dev/null; }; then
      start_dockerd
    fi
    DOCKER_HOST="unix://$(docker_dir)/docker.sock"
  fi
  TEST_IMAGE=${TEST_IMAGE:-ecsdns-test/busybox:1}
  import_image "$DOCKER_HOST" "$TEST_IMAGE"
  echo "export MOTO_URL=$MOTO_URL DOCKER_HOST=$DOCKER_HOST TEST_IMAGE=$TEST_IMAGE TEST_ENV_DIR=$state"
}

down() {
  if [[ -f $state/dockerd.pid ]]; then
    local host
    host="unix://$(docker_dir)/docker.sock"
    docker -H "$host" ps -aq 2>/dev/null | xargs -r docker -H "$host" rm -f >/dev/null 2>&1 || true
    stop_pidfile "$state/dockerd.pid" 30
  fi
  emulator stop --pid-file "$state/moto.pid" || log "could not stop moto (pid file $state/moto.pid)"
  if [[ -f $state/docker.dir ]]; then
    local dir; dir=$(docker_dir)
    # dockerd leaves its mounts behind when it is killed; unmount before removing.
    grep -o " $dir/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r umount -l 2>/dev/null || true
    rm -rf "$dir" "$state/docker.dir"
  fi
}

case ${1:-} in
  up) up ;;
  down) down ;;
  restart-dockerd) stop_pidfile "$state/dockerd.pid" 30; start_dockerd ;;
  restart-moto) port=$(cat "$state/moto.port"); emulator stop --pid-file "$state/moto.pid"; start_moto "$port" ;;
  site-images) shift; site_images "$@" ;;
  *) echo "usage: $0 up|down|restart-dockerd|restart-moto|site-images NAME..." >&2; exit 2 ;;
esac
