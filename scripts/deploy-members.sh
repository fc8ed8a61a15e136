#!/usr/bin/env bash
# Ship the built members site to the gateway host: rsync over SSH, nothing else.
#
#   scripts/deploy-members.sh site/members
#
# Reads (CI: secrets of the protected `members` environment):
#   MEMBERS_SSH_HOST         gateway host name
#   MEMBERS_SSH_USER         deploy user there (ideally restricted to rrsync, deploy/README.md)
#   MEMBERS_SSH_KEY          private key of that user (OpenSSH format)
#   MEMBERS_SSH_KNOWN_HOSTS  the host's known_hosts line(s): the host key is checked, never
#                            accepted blindly
#   MEMBERS_SSH_PATH         folder the gateway serves (/srv/kb/members), or "." under rrsync
#   MEMBERS_SSH_PORT         optional, default 22
#
# The folder is replaced as a whole (--delete) and files appear only once all of them have
# arrived (--delay-updates); permissions are set for nginx to read, and no more.
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

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077
printf '%s\n' "$MEMBERS_SSH_KEY" > "$work/key"
printf '%s\n' "$MEMBERS_SSH_KNOWN_HOSTS" > "$work/known_hosts"

ssh_cmd="ssh -i $work/key -p ${MEMBERS_SSH_PORT:-22} -o IdentitiesOnly=yes -o BatchMode=yes"
ssh_cmd+=" -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/known_hosts"
ssh_cmd+=" -o ConnectTimeout=20"

rsync --recursive --times --compress --delete --delay-updates \
  --chmod=D755,F644 --exclude='.*' \
  -e "$ssh_cmd" \
  "$src/" "$MEMBERS_SSH_USER@$MEMBERS_SSH_HOST:$MEMBERS_SSH_PATH/"
echo "deploy-members: $src -> $MEMBERS_SSH_HOST:$MEMBERS_SSH_PATH"
