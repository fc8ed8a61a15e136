#!/usr/bin/env bash
# Ship the built members site to the gateway host, and switch to it in one step.
#
#   scripts/deploy-members.sh site/members
#
# Reads (CI: secrets of the protected `members` environment):
#   MEMBERS_SSH_HOST         gateway host name
#   MEMBERS_SSH_USER         deploy user there (restricted to rrsync, deploy/README.md)
#   MEMBERS_SSH_KEY          private key of that user (OpenSSH format)
#   MEMBERS_SSH_KNOWN_HOSTS  the host's known_hosts line(s): the host key is checked, never
#                            accepted blindly
#   MEMBERS_SSH_PATH         the deploy folder (/srv/kb/members), or "." under rrsync
#   MEMBERS_SSH_PORT         optional, default 22
#   MEMBERS_RELEASE          optional release name (default: UTC time and commit)
#   MEMBERS_KEEP             optional, releases kept (default 3: the live one and two to
#                            roll back to)
#
# On the gateway host the deploy folder holds releases/<name>/ and `current`, a symbolic link
# to the live release; the gateway serves `current` (KB_MEMBERS_ROOT). A deploy:
#   1. uploads the whole site into a new releases/<name>/ (unchanged files are hard links to
#      the live release, so only changes travel). Visitors still see the live release, all of
#      it: an interrupted upload leaves a folder nobody serves, and the next deploy starts over;
#   2. switches `current` to it: rsync replaces a symbolic link by renaming a new one over it,
#      so each request is served wholly from the old release or wholly from the new one;
#   3. removes releases beyond the newest MEMBERS_KEEP (never the live one).
# Only rsync runs on the host (rrsync allows nothing else), and the whole layout is made with
# it. Permissions are set for nginx to read, and no more.
set -euo pipefail

src="${1:?usage: $0 SITE_DIR (the built members site)}"
for var in MEMBERS_SSH_HOST MEMBERS_SSH_USER MEMBERS_SSH_KEY MEMBERS_SSH_KNOWN_HOSTS MEMBERS_SSH_PATH; do
  if [ -z "${!var:-}" ]; then
    echo "deploy-members: $var is not set (a secret of the 'members' environment)" >&2
    exit 2
  fi
done
if [ ! -f "$src/index.html" ] || [ ! -f "$src/404.html" ]; then
  echo "deploy-members: $src is not a built site (no index.html or 404.html); refusing" >&2
  exit 2
fi
for tool in rsync ssh; do
  command -v "$tool" >/dev/null 2>&1 || { echo "deploy-members: $tool is not installed" >&2; exit 2; }
done
keep="${MEMBERS_KEEP:-3}"
if ! [[ "$keep" =~ ^[1-9][0-9]*$ ]]; then
  echo "deploy-members: MEMBERS_KEEP must be a number of releases (1 or more)" >&2
  exit 2
fi
sha="${GITHUB_SHA:-$(git -C "$src" rev-parse HEAD 2>/dev/null || echo local)}"
release="${MEMBERS_RELEASE:-$(date -u +%Y%m%dT%H%M%SZ)-${sha:0:12}}"
if ! [[ "$release" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
  echo "deploy-members: release name '$release' is not a plain folder name" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077
printf '%s\n' "$MEMBERS_SSH_KEY" > "$work/key"
printf '%s\n' "$MEMBERS_SSH_KNOWN_HOSTS" > "$work/known_hosts"

ssh_cmd="ssh -i $work/key -p ${MEMBERS_SSH_PORT:-22} -o IdentitiesOnly=yes -o BatchMode=yes"
ssh_cmd+=" -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/known_hosts"
ssh_cmd+=" -o ConnectTimeout=20 -o ServerAliveInterval=15"
remote="$MEMBERS_SSH_USER@$MEMBERS_SSH_HOST:$MEMBERS_SSH_PATH"

# 1. The new release, complete, beside the live one, hard-linking what the live release
#    already has (absent on the first deploy: rsync says so and copies everything). rrsync
#    ("." : the restricted folder) wants the path anchored at that folder's root; otherwise
#    an absolute path, or one relative to the release folder.
case "$MEMBERS_SSH_PATH" in
  .) link_dest=/current ;;
  /*) link_dest="${MEMBERS_SSH_PATH%/}/current" ;;
  *) link_dest=../../current ;;
esac
mkdir -p "$work/layout/releases"
rsync --recursive --perms --chmod=D755 -e "$ssh_cmd" "$work/layout/" "$remote/"
rsync --recursive --times --perms --compress --delete \
  --chmod=D755,F644 --exclude='.*' \
  --link-dest="$link_dest" \
  -e "$ssh_cmd" \
  "$src/" "$remote/releases/$release/"

# 2. The switch: one symbolic link, replaced in one rename. (Into the folder: a destination
#    of .../current would be taken for the directory the old link points to.)
mkdir "$work/switch"
ln -s "releases/$release" "$work/switch/current"
rsync --links -e "$ssh_cmd" "$work/switch/current" "$remote/"
echo "deploy-members: $MEMBERS_SSH_HOST:$MEMBERS_SSH_PATH/current -> releases/$release"

# 3. Old releases: the newest $keep stay (names sort by time), the live one always.
mapfile -t releases < <(rsync --list-only -e "$ssh_cmd" "$remote/releases/" \
  | awk '$1 ~ /^d/ && $NF != "." {print $NF}' | sort)
protect=(--filter="protect /$release/")
count=${#releases[@]}
for ((i = count - keep; i < count; i++)); do
  [ "$i" -ge 0 ] && protect+=(--filter="protect /${releases[$i]}/")
done
mkdir -p "$work/empty"
rsync --recursive --delete "${protect[@]}" -e "$ssh_cmd" "$work/empty/" "$remote/releases/"
