#!/usr/bin/env bash
# The GitHub Action's step (action.yml): installs a timd release, starts it
# in the background on an in-memory database, waits until it serves, and
# exports TIMD_URL, TIMD_SDKAPPID, TIMD_ADMIN_SIG (and TIMD_ADMIN,
# TIMD_SECRET_KEY, TIMD_PID) to later steps through $GITHUB_ENV, the same
# as step outputs, and adds timd to $GITHUB_PATH. Any shell with these
# variables runs it (cmd/timd's TestDist_ReleaseSnapshot does):
#
#   INPUT_VERSION   the release, without its v (e.g. 1.2.3); unused with INPUT_BINARY
#   INPUT_SDKAPPID  the app's SDKAppID; empty for a random development app
#   INPUT_PORT      the port on 127.0.0.1 (default 8080)
#   INPUT_BINARY    a timd binary to run instead of downloading one
#   TIMD_ACTION_DOWNLOAD_URL  where releases are (default GitHub's; a mirror,
#                   or file:// for a test); the archive and checksums.txt are
#                   fetched from $TIMD_ACTION_DOWNLOAD_URL/v$INPUT_VERSION/
#
# Other TIMD_* settings of the environment reach timd (timd help lists
# them); timd's log is $dir/timd.log, dir being $RUNNER_TEMP/timd-action.
set -euo pipefail

dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/timd-action"
port="${INPUT_PORT:-8080}"
mkdir -p "$dir"

fail() { echo "::error title=timd::$*" >&2; exit 1; }

# install puts the release's timd into $dir, checked against checksums.txt.
install() {
  local version=$1 os arch archive base sums
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) fail "no timd release archive for $(uname -s): give the binary input (go install github.com/timd/timd/cmd/timd@v$version)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "no timd release archive for $(uname -m)" ;;
  esac
  archive="timd_${version}_${os}_${arch}.tar.gz"
  base="${TIMD_ACTION_DOWNLOAD_URL:-https://github.com/timd/timd/releases/download}/v$version"
  curl -fsSL --retry 3 -o "$dir/$archive" "$base/$archive" || fail "download $base/$archive"
  curl -fsSL --retry 3 -o "$dir/checksums.txt" "$base/checksums.txt" || fail "download $base/checksums.txt"
  sums=sha256sum
  command -v sha256sum >/dev/null || sums="shasum -a 256"
  grep -E "^[0-9a-f]{64}  $archive\$" "$dir/checksums.txt" >"$dir/archive.sum" || fail "checksums.txt has no sum of $archive"
  (cd "$dir" && $sums -c archive.sum >/dev/null) || fail "$archive does not match its sum in checksums.txt"
  tar -xzf "$dir/$archive" -C "$dir" timd
  rm -f "$dir/$archive"
}

if [ -n "${INPUT_BINARY:-}" ]; then
  [ -x "$INPUT_BINARY" ] || fail "binary $INPUT_BINARY is not an executable file"
  cp "$INPUT_BINARY" "$dir/timd"
else
  [ -n "${INPUT_VERSION:-}" ] || fail "the version input is empty"
  install "${INPUT_VERSION#v}"
fi
timd="$dir/timd"
"$timd" --version | sed -n 1p

# A configured SDKAppID gets a fresh key, and the control plane (on by
# default only for the development app).
if [ -n "${INPUT_SDKAPPID:-}" ]; then
  export TIMD_SDKAPPID="$INPUT_SDKAPPID" TIMD_CONTROL=on
  TIMD_SECRET_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  export TIMD_SECRET_KEY
fi
ready="$dir/ready.json"
rm -f "$ready"
TIMD_DATA=:memory: TIMD_ADDR="127.0.0.1:$port" TIMD_CALLBACK_URL="${TIMD_CALLBACK_URL:-internal}" \
  TIMD_TIME_CONTROL="${TIMD_TIME_CONTROL:-on}" TIMD_RATE_LIMIT="${TIMD_RATE_LIMIT:-off}" TIMD_READY_FILE="$ready" \
  nohup "$timd" >"$dir/timd.log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 300); do
  [ -s "$ready" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/timd.log" >&2; fail "timd exited at start (its log is above)"; }
  sleep 0.1
done
[ -s "$ready" ] || { cat "$dir/timd.log" >&2; fail "timd did not serve within 30 s"; }

field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$ready"; }
url=$(field url) app=$(field sdkappid) admin=$(field admin)
key="${TIMD_SECRET_KEY:-$(field secret_key)}"
sig=$("$timd" usersig --sdkappid "$app" --key "$key" --identifier "$admin")
echo "::add-mask::$key"
echo "::add-mask::$sig"
{
  echo "TIMD_URL=$url"
  echo "TIMD_SDKAPPID=$app"
  echo "TIMD_ADMIN=$admin"
  echo "TIMD_ADMIN_SIG=$sig"
  echo "TIMD_SECRET_KEY=$key"
  echo "TIMD_PID=$pid"
} >>"${GITHUB_ENV:-/dev/null}"
{
  echo "url=$url"
  echo "sdkappid=$app"
  echo "admin=$admin"
  echo "admin-sig=$sig"
  echo "secret-key=$key"
  echo "pid=$pid"
} >>"${GITHUB_OUTPUT:-/dev/null}"
echo "$dir" >>"${GITHUB_PATH:-/dev/null}"
echo "timd serves at $url (SDKAppID $app, admin $admin, pid $pid; log $dir/timd.log)"
