#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package (tools/mkdeb), installed for real: a Debian 12 root is
# built from Debian's archive (mmdebstrap) with the package's dependencies,
# the package is installed into it with dpkg, then upgraded. Checked: the
# control file, conffile, unit (ExecStartPre runs --check-config), that the
# installed binary runs with the installed libraries and DPDK drivers and
# accepts the installed configuration, that an upgrade keeps a locally
# changed configuration, and that purge removes what the package made.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/rtcg-pkg-XXXXXX)
on_exit "${KEEP:+: }rm -rf $dir"
for t in mmdebstrap dpkg-deb; do
	command -v "$t" >/dev/null || { echo "FAIL $t is not installed"; exit 1; }
done

deb=$("$ROOT/tools/mkdeb" "$dir/out" | tail -1)
check "tools/mkdeb builds the package ($deb)" test -s "$deb"
f() { dpkg-deb -f "$deb" "$1"; }
check "control: Package rtcgate, the version of meson.build ($(f Version))" \
	bash -c "[ '$(f Package)' = rtcgate ] && grep -q \"version: '$(f Version)'\" '$ROOT/meson.build'"
check "Depends: the libraries it links and the DPDK drivers it loads" \
	bash -c 'for p in libsofia-sip-ua0 libssl3 librte-eal23 libipsec-mb1 librte-net-af-packet23 librte-mempool-ring23 systemd; do grep -q "$p" <<<"$0" || { echo "missing $p"; exit 1; }; done' "$(f Depends)"
dpkg-deb -e "$deb" "$dir/ctrl"
check "conffiles: /etc/rtcgate/rtcgate.yaml, /etc/default/rtcgate" \
	bash -c 'grep -qx /etc/rtcgate/rtcgate.yaml "$0" && grep -qx /etc/default/rtcgate "$0"' "$dir/ctrl/conffiles"
dpkg-deb -x "$deb" "$dir/x"
check "the unit checks the configuration before every start" \
	grep -qx 'ExecStartPre=/usr/bin/rtcgate --check-config /etc/rtcgate/rtcgate.yaml' "$dir/x/lib/systemd/system/rtcgate.service"
check "then prepares the configuration's NICs (prepare-ports, as root)" \
	bash -c 'grep -qx "ExecStartPre=+/usr/lib/rtcgate/prepare-ports /etc/rtcgate/rtcgate.yaml" "$0" && test -x "$1"' \
	"$dir/x/lib/systemd/system/rtcgate.service" "$dir/x/usr/lib/rtcgate/prepare-ports"

echo "== install into a Debian 12 root"
deps=$(f Depends | tr -d ' ' | sed 's/([^)]*)//g')
t0=$(date +%s)
mmdebstrap --quiet --variant=apt --include="$deps" bookworm "$dir/root" > "$dir/mmdebstrap.log" 2>&1
check "a Debian 12 root with the dependencies ($(( $(date +%s) - t0 )) s)" test -x "$dir/root/usr/bin/dpkg"
cp "$deb" "$dir/root/tmp/rtcgate.deb"
C() { chroot "$dir/root" "$@"; }
C dpkg -i /tmp/rtcgate.deb > "$dir/install.log" 2>&1
check "dpkg installs it ($(tail -1 "$dir/install.log"))" bash -c "C() { chroot '$dir/root' \"\$@\"; }; C dpkg -s rtcgate | grep -q 'Status: install ok installed'"
out=$(C /usr/bin/rtcgate --check-config /etc/rtcgate/rtcgate.yaml 2>&1)
check "the installed binary runs and accepts the installed configuration ($out)" grep -q ': ok$' <<<"$out"
out=$(C /usr/bin/rtcgate --host-plan /etc/rtcgate/rtcgate.yaml 2>&1 | tr '\n' ' ')
check "--host-plan: the cores and NICs of the installed configuration ($out)" \
	grep -q 'RTCG_WORKER_CPUS=2,3,4,5 RTCG_PCI_DEVICES="0000:3b:00.0 0000:3b:00.1" RTCG_AF_PACKET_IFACES="" RTCG_HUGEPAGES_MB=2048' <<<"$out"
cp "$ROOT/configs/default.yaml" "$dir/root/tmp/virtual.yaml"
out=$(C /usr/lib/rtcgate/prepare-ports /tmp/virtual.yaml 2>&1); rc=$?
check "prepare-ports has nothing to do for virtual ports (exit $rc$out)" test "$rc" = 0 -a -z "$out"
sed 's|0000:3b:00.0|ffff:ff:1f.7|' "$dir/root/etc/rtcgate/rtcgate.yaml" > "$dir/root/tmp/absent.yaml"
out=$(C /usr/lib/rtcgate/prepare-ports /tmp/absent.yaml 2>&1); rc=$?
check "prepare-ports refuses a NIC the machine lacks, naming it (exit $rc: $out)" \
	bash -c '[ "$0" = 1 ] && grep -q "names PCI device ffff:ff:1f.7, which this machine does not have" <<<"$1"' "$rc" "$out"
check "the state folder is made (0750)" test "$(stat -c %a "$dir/root/var/lib/rtcgate" 2>/dev/null)" = 750
out=$(C /usr/bin/rtcgate --config-reference 2>&1 | head -1)
check "the binary's own reference runs" test -n "$out"

echo "== upgrade keeps a changed configuration"
sed -i 's/idle_sleep_us: 0/idle_sleep_us: 7/' "$dir/root/etc/rtcgate/rtcgate.yaml"
deb2=$(RTCG_DEB_VERSION=0.1.0+1 "$ROOT/tools/mkdeb" "$dir/out2" | tail -1)
cp "$deb2" "$dir/root/tmp/rtcgate2.deb"
C dpkg -i --force-confold /tmp/rtcgate2.deb > "$dir/upgrade.log" 2>&1
check "the upgrade installs ($(C dpkg-query -W -f '${Version}' rtcgate))" test "$(C dpkg-query -W -f '${Version}' rtcgate)" = 0.1.0+1
check "the local change to the conffile survives it" grep -q 'idle_sleep_us: 7' "$dir/root/etc/rtcgate/rtcgate.yaml"

echo "== purge"
C dpkg --purge rtcgate > "$dir/purge.log" 2>&1
check "purge removes the binary, the unit and the state folder" \
	bash -c "[ ! -e '$dir/root/usr/bin/rtcgate' ] && [ ! -e '$dir/root/lib/systemd/system/rtcgate.service' ] && [ ! -e '$dir/root/var/lib/rtcgate' ]"
finish
