#!/bin/sh
# Installs the Debian packages csdesk's `make run`, `make test` and `make dist` need, when missing.
# Usage: system-packages.sh PACKAGE...   (the list lives in the Makefile, one package a line)
#
# Why here and not in CI only: a newcomer on a fresh Debian machine types `make test`; that must do
# all the set-up CI does. A machine that has every package does nothing (dpkg -s, no apt).
set -eu

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  # One dpkg-query for the whole list (it prints nothing for a package it has never heard of);
  # "installed" is the status word, so removed-but-configured packages count as missing.
  installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null | sed -n 's/^installed //p' || true)
  for package in "$@"; do
    printf '%s\n' "$installed" | grep -qxF "$package" || missing="$missing $package"
  done
else
  # Not Debian: we cannot check, so say once what the Debian names are and let the build go on.
  echo "csdesk: not a Debian system; install your system's equivalents of:$(printf ' %s' "$@")" >&2
  exit 0
fi

[ -n "$missing" ] || exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "csdesk: installing system packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086  # word splitting of the list is intended
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit 0
fi

echo "csdesk: missing system packages; run: sudo apt-get install --no-install-recommends$missing" >&2
exit 1
