#!/usr/bin/env bash
# The steps of action.yml, one phase each:
#
#   resolve   which release and archive this runner needs, and where it goes
#   install   download the archive and its .sha256, check, unpack (skipped
#             when the cache already holds that version)
#   run       run asc-sync with --github; its step outputs become ours
#   comment   create or update the sticky pull-request comment
#
# Inputs come from the environment (ASC_SYNC_*, set by action.yml) and the
# runner's (GITHUB_*, RUNNER_*). Outputs go to $GITHUB_OUTPUT. It keeps to
# bash 3.2 (macOS's own): no mapfile, and empty arrays expanded with
# ${a[@]+"${a[@]}"} under set -u.
# tests/cli/action.rs runs these phases against local stand-ins for the
# release download and the GitHub API.
set -euo pipefail

# An error annotation, then the step fails.
die() {
  echo "::error title=asc-sync action::$*"
  exit 1
}

output() {
  echo "$1=$2" >>"$GITHUB_OUTPUT"
}

# A token or a binary must not travel in clear text: https, or http to this
# machine only (the tests' stand-in servers).
check_url() {
  case "$1" in
    https://*) ;;
    http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
    *) die "$2: '$1' is neither https nor http to a loopback address" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

resolve() {
  local version=${ASC_SYNC_VERSION:-}
  if [ -z "$version" ]; then
    # The release this copy of the action belongs to.
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
  fi
  version=${version#v}
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    die "version: '$version' is not a release such as 0.2.0"

  local target ext=tar.xz
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ext=zip ;;
    *) die "no asc-sync release is built for ${RUNNER_OS:-?} ${RUNNER_ARCH:-?}: build it from source (the README's Install section)" ;;
  esac

  local base=${ASC_SYNC_DOWNLOAD_URL%/}
  check_url "$base" download-url
  local archive="asc-sync-$target.$ext"
  # One cache entry per place, version and target: a fork's release of the
  # same version is another binary.
  local place
  place=$(printf '%s' "$base" | sha256_of /dev/stdin | cut -c1-12)
  output version "$version"
  output target "$target"
  output archive "$archive"
  output url "$base/v$version/$archive"
  output dir "${RUNNER_TOOL_CACHE:-$RUNNER_TEMP}/asc-sync/$version-$place/$target"
  output cache-key "asc-sync-$version-$target-$place"
}

install() {
  local dir=$ASC_SYNC_DIR exe=""
  case "$ASC_SYNC_ARCHIVE" in *.zip) exe=.exe ;; esac
  local bin="$dir/asc-sync$exe"
  if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
    echo "asc-sync $ASC_SYNC_VERSION is cached in $dir"
  else
    download "$bin"
  fi
  echo "$dir" >>"$GITHUB_PATH"
  output path "$bin"
  "$bin" --version
}

fetch() {
  curl --fail --silent --show-error --location --retry 3 --connect-timeout 30 --output "$2" "$1" ||
    die "cannot download $1 (is asc-sync $ASC_SYNC_VERSION released?)"
}

# Downloads the archive and its checksum, refuses a mismatch, and puts the
# binary at $1. Nothing is installed unless the checksum matches.
download() {
  local bin=$1 url=$ASC_SYNC_ARCHIVE_URL archive=$ASC_SYNC_ARCHIVE
  local tmp
  tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/asc-sync.XXXXXX")
  echo "Downloading $url"
  fetch "$url" "$tmp/$archive"
  fetch "$url.sha256" "$tmp/$archive.sha256"
  local expected actual
  expected=$(tr 'A-F' 'a-f' <"$tmp/$archive.sha256" | awk '{print $1; exit}')
  [[ $expected =~ ^[0-9a-f]{64}$ ]] || die "$url.sha256 holds no SHA-256 checksum"
  actual=$(sha256_of "$tmp/$archive")
  [ "$expected" = "$actual" ] ||
    die "checksum mismatch for $archive: $url.sha256 says $expected, the download is $actual. Nothing was installed."
  echo "SHA-256 $actual matches $archive.sha256"

  mkdir -p "$tmp/unpacked"
  case "$archive" in
    *.zip) unzip -q "$tmp/$archive" -d "$tmp/unpacked" ;;
    *) tar -xJf "$tmp/$archive" -C "$tmp/unpacked" ;;
  esac
  local found
  found=$(find "$tmp/unpacked" -type f -name "$(basename "$bin")" | head -n 1)
  [ -n "$found" ] || die "$archive holds no $(basename "$bin")"
  mkdir -p "$(dirname "$bin")"
  cp "$found" "$bin"
  chmod +x "$bin"
  rm -rf "$tmp"
}

run() {
  local command=$ASC_SYNC_COMMAND
  case "$command" in
    plan | apply | validate | pull) ;;
    *) die "command: '$command' is not one of plan, apply, validate, pull" ;;
  esac

  # Words, not shell: a branch name or a title cannot run code here.
  local extra=()
  set -f
  # shellcheck disable=SC2206
  extra=(${ASC_SYNC_ARGS:-})
  set +f

  local args=("$command" --github)
  if [ -n "${ASC_SYNC_CONFIG:-}" ]; then args+=(--config "$ASC_SYNC_CONFIG"); fi
  local out
  out=$(mktemp -d "${RUNNER_TEMP:-/tmp}/asc-sync-out.XXXXXX")
  local comment="$out/comment.md"
  case "$command" in
    plan)
      has_arg --out ${extra[@]+"${extra[@]}"} || args+=(--out "$out/plan.json")
      has_arg --detailed-exitcode ${extra[@]+"${extra[@]}"} || args+=(--detailed-exitcode)
      has_arg --comment-out ${extra[@]+"${extra[@]}"} || args+=(--comment-out "$comment")
      ;;
    apply) has_arg --comment-out ${extra[@]+"${extra[@]}"} || args+=(--comment-out "$comment") ;;
  esac

  # The key from the inputs, when given; else the job's environment.
  if [ -n "${ASC_SYNC_INPUT_KEY_ID:-}" ]; then export ASC_KEY_ID=$ASC_SYNC_INPUT_KEY_ID; fi
  if [ -n "${ASC_SYNC_INPUT_ISSUER_ID:-}" ]; then export ASC_ISSUER_ID=$ASC_SYNC_INPUT_ISSUER_ID; fi
  if [ -n "${ASC_SYNC_INPUT_PRIVATE_KEY:-}" ]; then export ASC_PRIVATE_KEY=$ASC_SYNC_INPUT_PRIVATE_KEY; fi

  echo "asc-sync ${args[*]} ${extra[*]+${extra[*]}}"
  local code=0
  "$ASC_SYNC_BIN" "${args[@]}" ${extra[@]+"${extra[@]}"} || code=$?
  output exit-code "$code"
  if [ -s "$comment" ]; then output comment-path "$comment"; fi

  case "$command/$code" in
    */0) ;;
    plan/2)
      if [ "${ASC_SYNC_FAIL_ON_CHANGES:-false}" = true ]; then
        die "the live listing differs from the tree (fail-on-changes); the plan is in the job summary"
      fi
      ;;
    apply/3) die "apply was partial: some writes failed, the rest were applied; a new plan shows what is left" ;;
    apply/4) die "the saved plan is stale: the live listing changed since it was made; nothing was written. Plan again." ;;
    *) die "asc-sync $command failed (exit $code); the errors are above" ;;
  esac
}

# has_arg FLAG ARGS...: whether ARGS hold FLAG or FLAG=...
has_arg() {
  local flag=$1 arg
  shift
  for arg in "$@"; do
    case "$arg" in "$flag" | "$flag"=*) return 0 ;; esac
  done
  return 1
}

comment() {
  local body=$ASC_SYNC_COMMENT_PATH
  if ! command -v jq >/dev/null 2>&1; then
    # GitHub's runners have it; a self-hosted one may not.
    echo "::warning title=asc-sync action::jq is not installed on this runner: no comment (the plan is in the job summary)"
    return 0
  fi
  local number=""
  if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
    number=$(jq -r '.pull_request.number // (if .issue.pull_request then .issue.number else empty end) // empty' "$GITHUB_EVENT_PATH")
  fi
  if [ -z "$number" ]; then
    echo "Not a pull request (${GITHUB_EVENT_NAME:-no event}): no comment."
    return 0
  fi
  [ -n "${ASC_SYNC_GITHUB_TOKEN:-}" ] || die "github-token is empty: cannot comment on pull request #$number"
  local api=${GITHUB_API_URL:-https://api.github.com}
  check_url "$api" GITHUB_API_URL
  local repo="$api/repos/$GITHUB_REPOSITORY"

  # The first line is asc-sync's marker, the same on every run for an app:
  # the comment that starts with it is ours to update.
  local marker
  marker=$(head -n 1 "$body")
  [[ $marker == '<!-- asc-sync '*' -->' ]] || die "$body does not start with asc-sync's marker"

  local id="" page=1 listing
  while [ -z "$id" ]; do
    listing=$(api GET "$repo/issues/$number/comments?per_page=100&page=$page") || return 0
    id=$(jq -r --arg m "$marker" '[.[] | select((.body // "") | startswith($m))][0].id // empty' <<<"$listing")
    [ "$(jq length <<<"$listing")" -lt 100 ] && break
    page=$((page + 1))
  done

  local payload answer
  payload=$(mktemp "${RUNNER_TEMP:-/tmp}/asc-sync-comment.XXXXXX")
  jq -Rs '{body: .}' <"$body" >"$payload"
  if [ -n "$id" ]; then
    answer=$(api PATCH "$repo/issues/comments/$id" "$payload") || return 0
    echo "Updated the comment on pull request #$number"
  else
    answer=$(api POST "$repo/issues/$number/comments" "$payload") || return 0
    echo "Commented on pull request #$number"
  fi
  output comment-url "$(jq -r '.html_url // empty' <<<"$answer")"
}

# api METHOD URL [BODY-FILE]: the answer's body on stdout. A refusal is a
# warning, not a failure: the plan is in the job summary either way, and a
# pull request from a fork gets a token that cannot comment.
api() {
  local method=$1 url=$2 data=() answer status
  if [ $# -ge 3 ]; then data=(--data-binary "@$3" --header "Content-Type: application/json"); fi
  answer=$(curl --silent --show-error --location --retry 2 --request "$method" \
    --header "Authorization: Bearer $ASC_SYNC_GITHUB_TOKEN" \
    --header "Accept: application/vnd.github+json" \
    --header "X-GitHub-Api-Version: 2022-11-28" \
    ${data[@]+"${data[@]}"} --write-out '\n%{http_code}' "$url") || {
    echo "::warning title=asc-sync action::cannot reach $url: no comment"
    return 1
  }
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if [[ $status != 2?? ]]; then
    local message
    message=$(jq -r '.message // empty' <<<"$answer" 2>/dev/null || true)
    echo "::warning title=asc-sync action::$method $url answered $status${message:+ ($message)}: no comment. The job needs 'permissions: pull-requests: write'; a pull request from a fork gets a read-only token."
    return 1
  fi
  printf '%s\n' "$answer"
}

case "${1:-}" in
  resolve | install | run | comment) "$1" ;;
  *)
    echo "usage: run.sh resolve|install|run|comment" >&2
    exit 2
    ;;
esac
