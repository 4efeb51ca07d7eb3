#!/bin/sh
# Install the Debian packages named as arguments that are not installed yet.
# As root this runs apt-get; otherwise it says what to install and fails.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "llmflow: missing Debian packages:$missing" >&2
	echo "llmflow: run: sudo apt-get install$missing" >&2
	exit 1
fi
echo "llmflow: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
