#!/bin/sh
# The Debian packages the test suite needs, in one place (`make test` and .ci/run both run this):
#   chromium  the browser tests (Playwright drives /usr/bin/chromium)
#   nginx     the status-page fallback test (only the binary is run, on a loopback port; the service never starts)
#   gettext   msgfmt, for compilemessages
# All present: prints nothing. Missing and running as root: installs them with apt-get. Missing otherwise: prints
# the exact command to run and exits 1, before anything else runs.
# CHROMIUM, NGINX and MSGFMT name the binaries to look for (defaults below); pointing one at a path that does not
# exist shows what a fresh machine gets.
set -eu

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
NGINX="${NGINX:-/usr/sbin/nginx}"
MSGFMT="${MSGFMT:-msgfmt}"

missing() {
    packages=""
    [ -x "$CHROMIUM" ] || packages="$packages chromium"
    command -v "$MSGFMT" >/dev/null 2>&1 || packages="$packages gettext"
    [ -x "$NGINX" ] || packages="$packages nginx"
    echo "${packages# }"
}

packages="$(missing)"
[ -z "$packages" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "*** The tests need Debian packages that are missing here: $packages" >&2
    echo "*** Install them, then run this again:" >&2
    echo "    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages" >&2
    exit 1
fi

echo "Installing Debian packages the tests need: $packages"
export DEBIAN_FRONTEND=noninteractive
# nginx's package starts its service on install; the tests only need the binary. policy-rc.d answering 101
# ("action forbidden") is Debian's switch for that, honoured by invoke-rc.d and deb-systemd-invoke. One that the
# machine already has is left as it is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086  # a list of package names
apt-get install -y -qq --no-install-recommends $packages

still="$(missing)"
if [ -n "$still" ]; then
    echo "*** still missing after apt-get install: $still (looked for $CHROMIUM, $NGINX, $MSGFMT)" >&2
    exit 1
fi
