#!/usr/bin/env bash
# TEST STAND-IN for the GitHub runner's run.sh (see README.md). Strict like the real one.
set -uo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$DIR" || exit 1
# shellcheck source=record.sh
source ./record.sh
record run "$@"
if [[ $(id -u) == 0 && -z ${RUNNER_ALLOW_RUNASROOT:-} ]]; then echo "Must not run with sudo" >&2; exit 1; fi
if [[ ! -r .runner || ! -r .credentials || ! -r .credentials_rsaparams ]]; then
  echo "Not configured. Run config.(sh/cmd) to configure the runner." >&2
  exit 1
fi
# The real run.sh refreshes its helper from the template at every start.
cp -f "$DIR/run-helper.sh.template" "$DIR/run-helper.sh" || exit 1
mkdir -p _diag && date >_diag/started || exit 1
echo "Listening for Jobs"
trap 'echo "Exiting runner..."; exit 0' TERM INT
log=${STANDIN_LOG:-/standin-log}
if [[ -f $log/job.sh ]]; then
  bash "$log/job.sh" >"$log/user/job.out" 2>&1
  echo "Job completed with result: $?"
fi
if grep -q '"ephemeral":true' .runner; then exit 0; fi
while :; do sleep 1 & wait $!; done
