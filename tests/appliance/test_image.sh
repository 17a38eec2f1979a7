#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The appliance image: tools/mkimage builds it, qemu-system-x86_64 boots it
# (software emulation: -accel tcg -cpu max, so it needs no KVM), with
# user-mode networking on 198.18.200.0/24 forwarded to 127.0.0.1 only (in
# the guest the host's connections come from qemu's gateway, 198.18.200.2,
# so that network is the image's admin network for SSH). From
# the host: /healthz over the forwarded HTTPS port; over SSH (the test's key,
# the only way in): the listening ports are exactly those docs/deployment.md
# lists, nftables is loaded with a drop policy, no telnet, FTP or xinetd,
# fail2ban guards sshd with 3 failures in 600 s, the first boot made host
# keys and an admin credential; the service comes back after
# `systemctl restart`; a package upgrade with a configuration that fails
# --check-config leaves the running gateway alone, one with a good
# configuration restarts it; the public port moved to a virtio PCI NIC is
# bound to vfio-pci and driven by DPDK; and all comes back after a reboot.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/rtcg-img-XXXXXX)
on_exit "${KEEP:+: }rm -rf $dir"
for t in qemu-system-x86_64 mmdebstrap extlinux ssh scp; do
	command -v "$t" >/dev/null || { echo "FAIL $t is not installed"; exit 1; }
done
ssh-keygen -q -t ed25519 -N '' -f "$dir/key"
t0=$(date +%s)
"$ROOT/tools/mkimage" -k "$dir/key.pub" -a 198.18.200.0/24 -o "$dir/rtcgate.img" > "$dir/mkimage.log" 2>&1
check "tools/mkimage builds the image ($(( $(date +%s) - t0 )) s, $(du -h --apparent-size "$dir/rtcgate.img" 2>/dev/null | cut -f1))" test -s "$dir/rtcgate.img"
HTTPS=$(free_port); SSHP=$(free_port)
boot() {
	qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 1536 -display none \
		-device intel-iommu,caching-mode=on \
		-drive file="$dir/rtcgate.img",format=raw,if=virtio \
		-netdev user,id=m,net=198.18.200.0/24,dhcpstart=198.18.200.15,hostfwd=tcp:127.0.0.1:$HTTPS-:443,hostfwd=tcp:127.0.0.1:$SSHP-:22 \
		-device virtio-net-pci,netdev=m \
		-netdev user,id=p,net=198.18.202.0/24,restrict=on -device virtio-net-pci,netdev=p \
		-netdev user,id=i,net=198.19.202.0/24,restrict=on -device virtio-net-pci,netdev=i \
		-netdev user,id=x,net=198.18.204.0/24,restrict=on \
		-device virtio-net-pci,netdev=x,addr=0x9,disable-legacy=on,iommu_platform=on \
		-serial file:"$dir/console.log" -pidfile "$dir/qemu.pid" -daemonize
	on_exit "kill \$(cat $dir/qemu.pid 2>/dev/null) 2>/dev/null"
}
healthz() { curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "https://127.0.0.1:$HTTPS/healthz"; }
wait_healthz() { # wait_healthz SECONDS: until /healthz answers 200
	local until=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -lt "$until" ]; do
		[ "$(healthz)" = 200 ] && return 0
		sleep 2
	done
	return 1
}
G() { ssh -i "$dir/key" -p "$SSHP" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o ConnectTimeout=10 -o LogLevel=ERROR -o BatchMode=yes root@127.0.0.1 "$@"; }

boot
t0=$(date +%s)
wait_healthz 300; up=$?
check "booted under qemu, https://127.0.0.1:$HTTPS/healthz answers 200 ($(( $(date +%s) - t0 )) s)" test "$up" = 0
ports=$(G ss -tlnupH | awk '{ split($5, a, ":"); n = a[length(a)]; match($0, /\("[^"]+"/); p = substr($0, RSTART + 2, RLENGTH - 3); print $1 "/" n "/" p }' | sort -u | tr '\n' ' ')
check "the listening ports are exactly the documented ones ($ports)" \
	test "$ports" = "tcp/22/sshd tcp/443/rtcgate tcp/8444/rtcgate udp/68/systemd-network "
adm=$(G "ss -tlnH 'sport = :8444'")
check "the admin listener is on loopback only" bash -c 'grep -q "127.0.0.1:8444" <<<"$0" && ! grep -q "0.0.0.0:8444" <<<"$0"' "$adm"
rules=$(G nft list ruleset)
check "prepare-ports keeps the kernel off the af_packet ports eth1 and eth2 (netdev ingress drop)" \
	bash -c 'grep -q "table netdev rtcgate_ports" <<<"$0" && grep -q "hook ingress device \"eth1\"" <<<"$0" && grep -q "hook ingress device \"eth2\"" <<<"$0"' "$rules"
check "nftables is loaded: input policy drop, HTTPS open, SSH from the admin networks only" \
	bash -c 'grep -q "table inet rtcgate" <<<"$0" && grep -q "policy drop" <<<"$0" && grep -q "tcp dport 443 accept" <<<"$0" && grep -q "ip saddr 198.18.200.0/24 tcp dport 22 accept" <<<"$0"' "$rules"
absent=$(G 'for p in telnet telnetd inetutils-telnet inetutils-telnetd ftp inetutils-ftp ftpd vsftpd xinetd; do dpkg -s $p >/dev/null 2>&1 && echo $p; done; command -v telnet ftp xinetd in.telnetd')
check "no telnet, FTP or xinetd ($absent)" test -z "$absent"
f2b=$(G 'fail2ban-client get sshd maxretry; fail2ban-client get sshd findtime; fail2ban-client get sshd bantime' | tr '\n' ' ')
check "fail2ban guards sshd: 3 failures in 600 s, banned 600 s ($f2b)" test "$f2b" = "3 600 600 "
check "SSH takes keys only" bash -c "ssh -p '$SSHP' -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o PreferredAuthentications=password -o PubkeyAuthentication=no root@127.0.0.1 true 2>&1 | grep -q 'Permission denied (publickey)'"
check "first boot: host keys of this machine and an API admin credential" \
	G 'test -s /etc/ssh/ssh_host_ed25519_key && test "$(stat -c %a /var/lib/rtcgate/admin-password)" = 600 && grep -q "name: admin" /etc/rtcgate/rtcgate.yaml && test -f /var/lib/rtcgate/firstboot.done'
check "hugepages reserved and the worker core isolated at boot, as the configuration's lcores and memory say" \
	G 'grep -q "^HugePages_Total: *256" /proc/meminfo && grep -q "isolcpus=1 nohz_full=1 rcu_nocbs=1" /proc/cmdline && rtcgate --host-plan /etc/rtcgate/rtcgate.yaml | grep -qx RTCG_WORKER_CPUS=1'

pid1=$(G systemctl show -p MainPID --value rtcgate)
G systemctl restart rtcgate
pid2=$(G systemctl show -p MainPID --value rtcgate)
wait_healthz 60; up=$?
check "systemctl restart: a new gateway ($pid1 -> $pid2) answers again" bash -c '[ "$0" != "$1" ] && [ "$2" = 0 ]' "$pid1" "$pid2" "$up"

echo "== upgrade"
deb=$(RTCG_DEB_VERSION=0.1.0+up "$ROOT/tools/mkdeb" "$dir/up" | tail -1)
scp -q -i "$dir/key" -P "$SSHP" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$deb" root@127.0.0.1:/tmp/up.deb
G 'cp /etc/rtcgate/rtcgate.yaml /root/good.yaml && echo "bogus_key: 1" >> /etc/rtcgate/rtcgate.yaml'
out=$(G 'dpkg -i --force-confold /tmp/up.deb 2>&1')
pid3=$(G systemctl show -p MainPID --value rtcgate)
h=$(healthz)
check "upgrade with a configuration that fails --check-config: the running gateway is left alone ($pid2 -> $pid3, /healthz $h)" \
	bash -c '[ "$1" = "$2" ] && grep -q "was not restarted" <<<"$0" && [ "$3" = 200 ]' "$out" "$pid2" "$pid3" "$h"
G 'cp /root/good.yaml /etc/rtcgate/rtcgate.yaml && dpkg -i --force-confold /tmp/up.deb >/dev/null 2>&1'
pid4=$(G systemctl show -p MainPID --value rtcgate)
wait_healthz 60; up=$?
ver=$(G "dpkg-query -W -f '\${Version}' rtcgate")
admins=$(G "grep -c 'name: admin' /etc/rtcgate/rtcgate.yaml")
check "upgrade with a good configuration: version $ver restarts ($pid3 -> $pid4), answers, keeps the admin user" \
	bash -c '[ "$0" != "$1" ] && [ "$2" = 0 ] && [ "$3" = 0.1.0+up ] && [ "$4" = 1 ]' "$pid3" "$pid4" "$up" "$ver" "$admins"

echo "== a PCI NIC for the dataplane"
# The public port moves from af_packet on eth1 to the virtio NIC in slot 9,
# behind qemu's virtual IOMMU (intel-iommu; the device's DMA is translated:
# iommu_platform), as a NIC on vfio-pci is on hardware. One queue pair:
# the control lcore's packets leave through worker 0.
G 'sed -i "s|\"net_af_packet0,iface=eth1,qpairs=2\"|\"0000:00:09.0\"|" /etc/rtcgate/rtcgate.yaml &&
   rtcgate --check-config /etc/rtcgate/rtcgate.yaml >/dev/null && systemctl restart rtcgate'
wait_healthz 120; up=$?
pci_state() {
	drv=$(G 'basename "$(readlink -f /sys/bus/pci/devices/0000:00:09.0/driver)"')
	port=$(G 'curl -sk --max-time 5 https://127.0.0.1:8444/metrics | grep "^rtcgate_port_link_up{port=\"public\""')
}
pci_state
check "the configuration's PCI NIC is put on vfio-pci before the start and DPDK drives it ($drv; $port)" \
	bash -c '[ "$0" = 0 ] && [ "$1" = vfio-pci ] && grep -q "driver=\"net_virtio\"} 1" <<<"$2"' "$up" "$drv" "$port"

echo "== reboot"
boot1=$(G cat /proc/sys/kernel/random/boot_id)
G 'systemctl reboot || reboot' >/dev/null 2>&1 || true
t0=$(date +%s)
sleep 10
wait_healthz 300; up=$?
boot2=$(G cat /proc/sys/kernel/random/boot_id)
check "after a reboot ($boot1 -> $boot2) the gateway answers again ($(( $(date +%s) - t0 )) s)" \
	bash -c '[ "$0" = 0 ] && [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]' "$up" "$boot1" "$boot2"
pci_state
check "after the reboot the PCI NIC is on vfio-pci again and its link up ($drv)" \
	bash -c '[ "$0" = vfio-pci ] && grep -q "driver=\"net_virtio\"} 1" <<<"$1"' "$drv" "$port"
G 'systemctl poweroff' >/dev/null 2>&1 || true
finish
