#!/bin/bash
# The issue's acceptance checks: the sandbox prints what Linux prints.
. "$(dirname -- "$0")/lib.sh"

# A shell pipeline in the busybox rootfs, compared with chroot into the same
# rootfs natively.  A private copy of the rootfs: the native runs write to it.
R=$E2E_TMP/rootfs
copy_rootfs "$R"
script='echo a | cat; ls / | wc -l; exit 3'
capture chroot "$R" /bin/sh -c "$script"
n_rc=$RC n_out=$RAW_OUT n_err=$ERR
expect_eq "native run of the pipeline exits 3 (sanity)" 3 "$n_rc"
capture srun --rootfs "$R" -- /bin/sh -c "$script"
expect_eq "sentry run --rootfs R -- sh -c '$script': stdout as chroot R" "$n_out" "$RAW_OUT"
expect_eq "  ...stderr as chroot R" "$n_err" "$ERR"
expect_eq "  ...exits 3" 3 "$RC"

# More of the same shape: listing, reading, pipes, subshells, globbing.
# /etc/hosts and /etc/resolv.conf are the sentry's own (t_net_config), and
# so is the "total" that counts them: left out of the listings.
for script in \
	'ls -la /etc | grep -v -e "^total" -e hosts -e resolv.conf | sed "s/ [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{4,5\} / DATE /"' \
	'cat /etc/passwd | sort -r | head -1' \
	'for f in /etc/*; do echo "$f"; done | grep -v resolv.conf' \
	'x=$(echo hello | tr a-z A-Z); echo "$x ${#x}"' \
	'(cd /bin && ls | wc -l) ; pwd' \
	'echo one > /tmp/f && echo two >> /tmp/f && cat /tmp/f && wc -c < /tmp/f' \
	'seq 1 2000 | awk "{ s += \$1 } END { print s }"' \
	'echo "a b c" | while read x y z; do echo "$z $y $x"; done'; do
	capture chroot "$R" /bin/sh -c "$script"
	n_rc=$RC n_out=$RAW_OUT
	capture srun --rootfs "$R" -- /bin/sh -c "$script"
	expect_eq "busybox: $script" "$n_rc|$n_out" "$RC|$RAW_OUT"
done

# A dynamically linked glibc binary from the host's root, which is the
# default rootfs: the same output as running it natively.
# (/etc/hosts, /etc/resolv.conf and the total counting them aside.)
not_net() { grep -v -E '^total | (hosts|resolv\.conf)( ->.*)?$' <<<"$1"; }
capture /bin/ls -l /etc
n_rc=$RC n_out=$RAW_OUT
capture srun -- /bin/ls -l /etc
expect_eq "sentry run -- /bin/ls -l /etc prints what /bin/ls -l /etc prints" \
	"$(not_net "$n_out")" "$(not_net "$RAW_OUT")"
expect_eq "  ...and exits like it" "$n_rc" "$RC"
expect_eq "  ...with nothing on stderr" "" "$ERR"

for cmd in "/bin/ls -la /usr/bin" "/bin/ls -lR /usr/share/doc/busybox-static" \
	"/usr/bin/stat -c %n:%s:%a:%u:%g:%Y /etc/passwd /usr /bin/ls" \
	"/bin/cat /etc/os-release" "/usr/bin/sha256sum /bin/busybox" \
	"/usr/bin/id" "/usr/bin/find /etc/apt -maxdepth 2"; do
	# shellcheck disable=SC2086
	capture $cmd
	n_rc=$RC n_out=$RAW_OUT
	# shellcheck disable=SC2086
	capture srun -- $cmd
	expect_eq "host root: $cmd" "$n_rc|$n_out" "$RC|$RAW_OUT"
done
