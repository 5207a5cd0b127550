#!/usr/bin/env bash
# deps.sh - install whichever of the Debian packages named here are missing (as root or via sudo -n).
# usage: tests/deps.sh [-d PKG]... PKG...
#   PKG      must be installed (dpkg status "installed").
#   -d PKG   only has to be downloadable with `apt-get download` (apt has package lists),
#            for packages the build unpacks but must not install (busybox-static conflicts with
#            the busybox initramfs-tools usually brings).
# Quiet and offline when nothing is missing; called by `make deps` (deps.mk).
set -euo pipefail

download=()
while getopts d: opt; do
	case $opt in
	d) download+=("$OPTARG") ;;
	*) echo "usage: $0 [-d PKG]... PKG..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# Not a Debian system: nothing this script can check or install; say so and let the build try.
if ! command -v dpkg-query >/dev/null; then
	echo "deps: no dpkg-query, not checking; the build needs the equivalents of: $*" >&2
	exit 0
fi

# One dpkg-query for all (10 ms; one per package would be 20x slower on every make run). It
# prints the names it knows, so the missing are the names not printed as installed. "WANT ok
# installed" counts whatever WANT is (hold, deinstall): the files are there. Names are given
# without an architecture; ${Package} prints them that way for Multi-Arch packages too.
declare -A have=()
while read -r name _want ok state; do
	[ "$ok $state" = "ok installed" ] && have[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
missing=()
for pkg in "$@"; do
	[ -n "${have[$pkg]:-}" ] || missing+=("$pkg")
done
# apt-get download needs package lists; container images often ship without them. (Asking
# apt-cache for the candidate itself takes 0.6 s without apt's binary cache, as in Docker images.)
need_update=0
if [ ${#download[@]} -gt 0 ] && ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
	need_update=1
fi
[ ${#missing[@]} -eq 0 ] && [ $need_update = 0 ] && exit 0

# sudo resets the environment, hence env(1) to pass DEBIAN_FRONTEND through it.
if [ "$(id -u)" = 0 ]; then
	as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
	if [ ${#missing[@]} -gt 0 ]; then
		echo "deps: missing Debian packages: ${missing[*]}" >&2
		echo "deps: install them with:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	else
		echo "deps: apt has no package lists (apt-get download ${download[*]} needs them); run:" >&2
		echo "  sudo apt-get update" >&2
	fi
	exit 1
fi

[ ${#missing[@]} -gt 0 ] && echo "deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
