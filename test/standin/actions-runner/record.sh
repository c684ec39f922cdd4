# TEST STAND-IN helper: appends one JSON line (what, uid, args, environment) to
# $STANDIN_LOG/root/calls.jsonl (as root) or $STANDIN_LOG/user/calls.jsonl.
record() {
  local what=$1 dir
  shift
  local log=${STANDIN_LOG:-/standin-log}
  [[ -d $log ]] || return 0
  if [[ $(id -u) == 0 ]]; then dir=$log/root; else dir=$log/user; fi
  python3 -c 'import json, os, sys; import time; print(json.dumps({"what": sys.argv[1], "t": time.time_ns(), "uid": os.getuid(), "args": sys.argv[2:], "env": dict(os.environ)}))' "$what" "$@" >>"$dir/calls.jsonl"
}
