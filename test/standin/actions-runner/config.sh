#!/usr/bin/env bash
# TEST STAND-IN for the GitHub runner's config.sh (see README.md). Strict like the real one.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
# shellcheck source=record.sh
source ./record.sh
record config "$@"
if [[ $(id -u) == 0 && -z ${RUNNER_ALLOW_RUNASROOT:-} ]]; then echo "Must not run with sudo" >&2; exit 1; fi
token=${ACTIONS_RUNNER_INPUT_TOKEN:-}
if [[ ${1:-} == remove ]]; then
  shift
  while (($#)); do
    case $1 in
      --unattended) shift ;;
      --token) token=$2; shift 2 ;;
      *) echo "Unrecognized command-line input arguments: '$1'" >&2; exit 1 ;;
    esac
  done
  [[ -f .runner ]] || { echo "Runner is not configured." >&2; exit 1; }
  [[ $token == rm-* || $token == tok-* ]] || { echo "Failed: Removing runner from the server: invalid token" >&2; exit 1; }
  rm -f .runner .credentials .credentials_rsaparams
  echo "Runner removed successfully"
  exit 0
fi
url='' name='' ephemeral=false labels=''
while (($#)); do
  case $1 in
    --unattended | --replace | --disableupdate | --no-default-labels) shift ;;
    --ephemeral) ephemeral=true; shift ;;
    --url | --name | --labels | --work | --runnergroup | --token)
      (($# >= 2)) || { echo "$1 needs a value" >&2; exit 1; }
      case $1 in --url) url=$2 ;; --name) name=$2 ;; --labels) labels=$2 ;; --token) token=$2 ;; esac
      shift 2 ;;
    *) echo "Unrecognized command-line input arguments: '$1'" >&2; exit 1 ;;
  esac
done
[[ -n $url ]] || { echo "Enter the URL of the GitHub repository: (unattended: --url is required)" >&2; exit 1; }
[[ -n $token ]] || { echo "Enter runner registration token: (unattended: --token is required)" >&2; exit 1; }
[[ $token == tok-* ]] || { echo "Http response code: NotFound from 'POST .../actions/runner-registration'" >&2; exit 1; }
if [[ -f .runner ]]; then
  echo "Cannot configure the runner because it is already configured. To reconfigure the runner, run 'config.cmd remove' or './config.sh remove' first." >&2
  exit 1
fi
printf '{"agentName":"%s","gitHubUrl":"%s","ephemeral":%s,"labels":"%s"}\n' "${name:-$HOSTNAME}" "$url" "$ephemeral" "$labels" >.runner
printf '{"scheme":"OAuth","data":{"clientId":"standin-%s"}}\n' "$RANDOM" >.credentials
printf '{"d":"standin-private-key"}\n' >.credentials_rsaparams
echo "Runner successfully added"
