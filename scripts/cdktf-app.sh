#!/bin/sh
# The app command of cdktf.json. Runs the app from its V8 startup snapshot
# (.gen/app.blob, see scripts/app-snapshot.js), which skips loading cdktf and
# the provider bindings. Anything else goes through scripts/cdktf-app.js,
# which builds what is missing or stale and then runs the app:
# - no snapshot yet, or PLATFORM_APP_SNAPSHOT=off;
# - exit status 75: the snapshot found its code changed since it was built;
# - exit status 14: node cannot load a snapshot built by another node version
#   or with other V8 flags (NODE_OPTIONS): it is built again.
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
blob="$here/../.gen/app.blob"
case "${PLATFORM_APP_SNAPSHOT:-on}" in
  on) ;;
  off) blob= ;;
  *) echo "PLATFORM_APP_SNAPSHOT=${PLATFORM_APP_SNAPSHOT}: expected on or off" >&2 && exit 2 ;;
esac
if [ -n "$blob" ] && [ -f "$blob" ]; then
  node --snapshot-blob "$blob"
  status=$?
  case "$status" in
    75) ;;
    14)
      echo "(node's message above: .gen/app.blob was built by another node or with other V8 flags; building it again)" >&2
      exec node "$here/cdktf-app.js" --rebuild-snapshot
      ;;
    *) exit "$status" ;;
  esac
fi
exec node "$here/cdktf-app.js"
