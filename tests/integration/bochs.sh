#!/usr/bin/env bash
# bochs.sh - boot an ISO on Bochs 2.7 with a given CPU model; COM1 to a file (or the terminal).
# usage: bochs.sh run MODEL ISO            (interactive: COM1 log to the terminal)
#        bochs.sh test MODEL ISO LOG [EXTRA_BOCHSRC_LINE...]
#                                          (batch: COM1 log to LOG, bochs output to LOG.bochs)
set -euo pipefail
mode=$1 model=$2 iso=$3
shift 3
log=
if [ "$mode" = test ]; then
	log=$1
	shift
fi
dir=$(mktemp -d /tmp/dbgvisor-bochs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
com1=${log:-/dev/stdout}
cat >"$dir/bochsrc" <<RC
megs: ${BOCHS_MEGS:-256}
cpu: model=$model, ips=${BOCHS_IPS:-50000000}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
display_library: term
clock: sync=none, time0=local
com1: enabled=1, mode=file, dev=$com1
log: $dir/bochs.log
panic: action=fatal
error: action=report
RC
for line in "$@"; do
	echo "$line" >>"$dir/bochsrc"
done
printf 'c\nquit\n' >"$dir/cmds"
if [ "$mode" = test ]; then
	# Bochs' term display needs a tty: script(1) provides one.
	script -qc "bochs -q -f $dir/bochsrc -rc $dir/cmds" /dev/null >"$log.bochs" 2>&1 </dev/null || true
	cp "$dir/bochs.log" "$log.bochslog" 2>/dev/null || true
else
	script -qc "bochs -q -f $dir/bochsrc -rc $dir/cmds" /dev/null
fi
