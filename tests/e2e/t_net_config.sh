#!/bin/bash
# The guest's view of its network: `ip addr`, `ip route`, `ip -6 addr`
# (iproute2 over NETLINK_ROUTE), /etc/hosts and /etc/resolv.conf (the
# sentry's), `getent hosts`; eth0 by default, loopback only with
# --network=none; the configuration cannot be changed, even by root.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

if [ ! -x /usr/bin/ip ] && [ ! -x /sbin/ip ] && [ ! -x /bin/ip ]; then
	echo "e2e: iproute2 (ip) is not installed on this host" >&2
	exit 1
fi

# --- the default network ---------------------------------------------------------
capture srun -- ip addr
expect_eq "ip addr exits 0" 0 "$RC"
expect_match "lo is up, loopback" '^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 ' "$OUT"
expect_match "lo has 127.0.0.1/8" '^    inet 127\.0\.0\.1/8 scope host lo$' "$OUT"
expect_match "lo has ::1/128" '^    inet6 ::1/128 scope host' "$OUT"
expect_match "eth0 is up" '^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65520 .* state UP' "$OUT"
expect_match "eth0's MAC" '^    link/ether 02:53:4e:54:52:59 brd ff:ff:ff:ff:ff:ff$' "$OUT"
expect_match "eth0 has 10.0.2.100/24" \
	'^    inet 10\.0\.2\.100/24 brd 10\.0\.2\.255 scope global eth0$' "$OUT"
expect_match "eth0 has fd53:6e74::100/64" '^    inet6 fd53:6e74::100/64 scope global' "$OUT"
expect_eq "two interfaces" 2 "$(printf '%s\n' "$OUT" | grep -c '^[0-9]*: ')"

capture srun -- ip -6 addr
expect_match "ip -6 addr: ::1" 'inet6 ::1/128 scope host' "$OUT"
expect_match "ip -6 addr: fd53:6e74::100" 'inet6 fd53:6e74::100/64 scope global' "$OUT"
expect_nomatch "ip -6 addr: no IPv4" 'inet ' "$OUT"

capture srun -- ip route
expect_eq "ip route: the default route and the subnet" \
	"default via 10.0.2.2 dev eth0 
10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.100 " "$OUT"
capture srun -- ip -6 route
expect_match "ip -6 route: the default route via fd53:6e74::2" '^default via fd53:6e74::2 dev eth0 ' "$OUT"
expect_match "ip -6 route: fd53:6e74::/64" '^fd53:6e74::/64 dev eth0 proto kernel' "$OUT"
capture srun -- ip route show table all
expect_match "table local: 127.0.0.0/8 on lo" \
	'^local 127\.0\.0\.0/8 dev lo table local proto kernel scope host src 127\.0\.0\.1' "$OUT"
expect_match "table local: 10.0.2.100 on eth0" \
	'^local 10\.0\.2\.100 dev eth0 table local proto kernel scope host src 10\.0\.2\.100' "$OUT"
capture srun -- ip link show dev eth0
expect_match "ip link show dev eth0 (RTM_GETLINK by name)" '^2: eth0: ' "$OUT"
capture srun -- ip link show dev eth7
expect_ne "ip link show dev eth7 fails" 0 "$RC"

capture srun -- cat /etc/hosts /etc/resolv.conf
expect_eq "/etc/hosts and /etc/resolv.conf" "127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
10.0.2.100	sandbox
nameserver 10.0.2.3
nameserver fd53:6e74::3" "$OUT"
capture srun -- getent hosts localhost
expect_match "getent hosts localhost" '^(::1|127\.0\.0\.1) +localhost' "$OUT"
capture srun --hostname e2e-net -- getent hosts e2e-net
expect_match "the host name resolves to eth0's address" '^10\.0\.2\.100 +e2e-net$' "$OUT"
capture srun -- stat -c '%F %a %U:%G' /etc/hosts /etc/resolv.conf
expect_eq "regular files, 0644, root's" $'regular file 644 root:root\nregular file 644 root:root' \
	"$OUT"
capture srun -u 1000 -- cat /etc/resolv.conf
expect_eq "readable by anyone" "0 nameserver 10.0.2.3" "$RC $(printf '%s\n' "$OUT" | head -1)"

# --- read-only, even for root ---------------------------------------------------------
capture srun -- ip addr add 10.9.9.9/24 dev eth0
expect_match "ip addr add: not permitted" 'Operation not permitted' "$ERR"
capture srun -- ip link set lo down
expect_match "ip link set lo down: not permitted" 'Operation not permitted' "$ERR"
capture srun -- ip route add 10.8.0.0/16 via 10.0.2.2
expect_match "ip route add: not permitted" 'Operation not permitted' "$ERR"
capture srun -- sh -c 'ip route del default; ip route'
expect_match "  ...and the default route is still there" '^default via 10\.0\.2\.2 dev eth0' "$OUT"

# --- --network=none -------------------------------------------------------------------
if "$SENTRY" run --help 2>&1 | grep -- '--network' >/dev/null; then
	capture srun --network=none -- ip addr
	expect_eq "--network=none: ip addr exits 0" 0 "$RC"
	expect_match "--network=none: lo has 127.0.0.1/8" 'inet 127\.0\.0\.1/8 scope host lo' "$OUT"
	expect_nomatch "--network=none: no eth0" 'eth0' "$OUT"
	capture srun --network=none -- ip route
	expect_eq "--network=none: no routes in table main" "" "$OUT"
	capture srun --network=none -- ip route show table all
	expect_match "--network=none: 127.0.0.0/8 is still local" '^local 127\.0\.0\.0/8 dev lo' "$OUT"
	expect_nomatch "--network=none: nothing on eth0" 'eth0' "$OUT"
	capture srun --network=none -- cat /etc/hosts /etc/resolv.conf
	expect_match "--network=none: the host name on 127.0.1.1" '^127\.0\.1\.1	sandbox$' "$OUT"
	expect_nomatch "--network=none: no name server" '^nameserver' "$OUT"
	expect_match "--network=none: resolv.conf says why" '^# .*no network' "$OUT"
	capture srun --block-network -- getent hosts localhost
	expect_match "--block-network: getent hosts localhost" '^(::1|127\.0\.0\.1) +localhost' "$OUT"
else
	echo "  note: no --network option yet; --network=none not checked"
fi

# --- whatever the rootfs has there --------------------------------------------------
# The busybox rootfs has its own /etc/hosts; a copy without /etc at all,
# and one whose resolv.conf is a dangling symlink (systemd-resolved's).
capture bbrun -- /bin/sh -c 'cat /etc/hosts; cat /etc/resolv.conf'
expect_match "busybox rootfs: the sentry's /etc/hosts" '^10\.0\.2\.100	sandbox$' "$OUT"
expect_match "busybox rootfs: the sentry's resolv.conf" '^nameserver 10\.0\.2\.3$' "$OUT"
expect_eq "  ...and the rootfs's own file is untouched" \
	$'127.0.0.1\tlocalhost\n::1\tlocalhost' "$(cat "$E2E_ROOTFS/etc/hosts")"
copy_rootfs "$T/noetc"
rm -rf "$T/noetc/etc"
capture srun --rootfs "$T/noetc" -- /bin/sh -c 'ls /etc; cat /etc/resolv.conf'
expect_eq "a rootfs without /etc gets both files" $'hosts\nresolv.conf\nnameserver 10.0.2.3\nnameserver fd53:6e74::3' "$OUT"
expect_eq "  ...and the rootfs still has no /etc" no "$([ -e "$T/noetc/etc" ] && echo yes || echo no)"
copy_rootfs "$T/symlink"
ln -s ../run/systemd/resolve/stub-resolv.conf "$T/symlink/etc/resolv.conf"
capture srun --rootfs "$T/symlink" -- /bin/sh -c 'cat /etc/resolv.conf; ls -l /etc/resolv.conf; ls /run 2>&1'
expect_match "a symlinked resolv.conf is replaced" '^nameserver 10\.0\.2\.3$' "$OUT"
expect_match "  ...by a regular file" '^-rw-r--r-- ' "$OUT"
expect_eq "  ...and the rootfs's symlink is untouched" ../run/systemd/resolve/stub-resolv.conf \
	"$(readlink "$T/symlink/etc/resolv.conf")"

# The guest may edit its own copy (root), as in Docker.
capture bbrun -- /bin/sh -c 'echo "10.1.2.3 db" >> /etc/hosts; grep ^10.1.2.3 /etc/hosts'
expect_eq "root may append to /etc/hosts" "10.1.2.3 db" "$OUT"

# A user mount over /etc wins.
mkdir -p "$T/myetc"
printf '192.0.2.9\tmine\n' >"$T/myetc/hosts"
capture bbrun -v "$T/myetc:/etc" -- /bin/cat /etc/hosts
expect_eq "-v DIR:/etc: the user's /etc/hosts" $'192.0.2.9\tmine' "$OUT"

e2e_finish
