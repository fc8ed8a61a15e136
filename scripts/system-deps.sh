#!/usr/bin/env bash
# What the test suite needs beside Python packages, installed from project files only:
#   Debian packages  chromium (browser and accessibility tests), nginx (the members gateway),
#                    apache2 + libapache2-mod-auth-openidc (the gateway's relying party in the
#                    Debian recipe, run for real by the SSO tests), rsync (with rrsync: the
#                    deploy script's tests), openssl (test certificates), nodejs + npm (the test
#                    identity provider)
#   npm packages     tests/gateway/idp: oidc-provider, exactly as package-lock.json says
#                    (`npm ci`, no install scripts; no browser is ever downloaded);
#                    tests/browser/lighthouse: lighthouse 12.2.3, the same way (it drives
#                    Debian's chromium through CHROME_PATH)
# Installs only what is missing; a no-op on a prepared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/apache2 ] || need+=(apache2)
[ -f /usr/lib/apache2/modules/mod_auth_openidc.so ] || need+=(libapache2-mod-auth-openidc)
{ command -v rsync >/dev/null 2>&1 && [ -x /usr/bin/rrsync ]; } || need+=(rsync)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# oidc-provider 9 needs Node.js 20.19 or later; Debian's nodejs is used only when none is here.
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian packages start no service for the tests: apache2's own would hold port 80.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet apache2 2>/dev/null; then
  echo "Note: the apache2 service is running; the tests start their own Apache on other ports."
fi
idp=tests/gateway/idp
if [ ! -f "$idp/node_modules/.package-lock.json" ] \
   || [ "$idp/package-lock.json" -nt "$idp/node_modules/.package-lock.json" ]; then
  echo "Installing the test identity provider (npm ci in $idp)"
  npm ci --prefix "$idp" --ignore-scripts --no-audit --no-fund --loglevel=error
fi
lighthouse=tests/browser/lighthouse
if [ ! -f "$lighthouse/node_modules/.package-lock.json" ] \
   || [ "$lighthouse/package-lock.json" -nt "$lighthouse/node_modules/.package-lock.json" ]; then
  echo "Installing Lighthouse (npm ci in $lighthouse)"
  npm ci --prefix "$lighthouse" --ignore-scripts --no-audit --no-fund --loglevel=error
fi
