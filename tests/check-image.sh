#!/usr/bin/env bash
# check-image.sh - the a.out-kludge load range must be laid out contiguously in the ELF file.
# Loaders copy file bytes starting at (header offset - (header_addr - load_addr)) to load_addr,
# so every LOAD segment with file contents must sit at file offset = base + physical address.
set -euo pipefail
have=0 base=0 bad=0
while read -r type off va pa fsz rest; do
	[ "$type" = LOAD ] || continue
	[ $((fsz)) -ne 0 ] || continue
	if [ $have = 0 ]; then
		base=$((off - pa))
		have=1
	elif [ $((off - pa)) -ne $base ]; then
		echo "check-image: $1: LOAD segment at physical $pa is not contiguous in the file" >&2
		bad=1
	fi
done < <(readelf -lW "$1" | grep '^ *LOAD')
exit $bad
