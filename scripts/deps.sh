#!/bin/sh
# deps.sh: install the Debian 12 packages simpul needs to build, test and
# run its demo, when any is missing.  Uses sudo when not run as root.
# debhelper and lintian build and check the package (scripts/deb.sh),
# prometheus brings promtool and systemd systemd-analyze for the tests.
set -eu

pkgs="build-essential autoconf automake autoconf-archive pkg-config
libxml2-dev libxmlsec1-dev libssl-dev libsqlite3-dev libcurl4-openssl-dev
libevent-dev libsodium-dev libcmocka-dev sqlite3 openssl curl xmlsec1 libxml2-utils
default-jdk-headless debhelper lintian prometheus systemd"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing$missing"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
