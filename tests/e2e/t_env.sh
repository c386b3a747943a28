#!/bin/bash
# The guest's environment (the caller's, with -e overrides), working
# directory (-w) and host name (--hostname).
. "$(dirname -- "$0")/lib.sh"

# The caller's environment is passed through as it is, in order.
capture env -i A=1 B='two words' PATH=/usr/bin:/bin "EMPTY=" "$SENTRY" run -- /usr/bin/env
expect_eq "the caller's environment, exactly" $'A=1\nB=two words\nPATH=/usr/bin:/bin\nEMPTY=' "$OUT"
capture env -i "$SENTRY" run -- /usr/bin/env
expect_eq "an empty environment stays empty" "0|" "$RC|$OUT"
E2E_MARK='x y$z' capture srun -- /bin/sh -c 'printf "%s\n" "$E2E_MARK"'
expect_eq "a variable of the caller's shows up in the guest" 'x y$z' "$OUT"

# -e adds and overrides.
capture bbrun -e FOO=bar -- /bin/sh -c 'echo "$FOO"'
expect_eq "-e FOO=bar" bar "$OUT"
capture bbrun --env FOO=bar -- /bin/sh -c 'echo "$FOO"'
expect_eq "--env FOO=bar" bar "$OUT"
capture env -i FOO=host KEEP=1 "$SENTRY" run -e FOO=guest -- /usr/bin/env
expect_eq "-e overrides the caller's value, once" $'KEEP=1\nFOO=guest' "$OUT"
capture bbrun -e 'X=a=b c' -e Y= -e Z=3 -- /bin/sh -c 'echo "[$X][$Y][$Z]"; env | grep -c "^Y="'
expect_eq "-e values with = and spaces, empty values, several -e" $'[a=b c][][3]\n1' "$OUT"
capture bbrun -e V=1 -e V=2 -- /bin/sh -c 'echo "$V"; env | grep -c "^V="'
expect_eq "the last of two -e for the same name wins, once" $'2\n1' "$OUT"
capture env -i PATH=/nonexistent "$SENTRY" run --rootfs "$E2E_ROOTFS" -e PATH=/bin -- echo found
expect_eq "the command is looked up in the PATH given with -e" "0 found" "$RC $OUT"

# -w sets the working directory.
capture bbrun -w /etc -- /bin/sh -c 'pwd; ls passwd'
expect_eq "-w /etc: pwd and relative paths" $'/etc\npasswd' "$OUT"
capture srun --workdir /usr/share -- /bin/pwd
expect_eq "--workdir /usr/share (host root, /bin/pwd)" /usr/share "$OUT"
capture bbrun -- /bin/sh -c 'pwd'
expect_eq "the default working directory is /" / "$OUT"
capture bbrun -w /tmp -- /bin/sh -c 'echo hi > f; cat /tmp/f'
expect_eq "-w /tmp: files created relative to it" hi "$OUT"
capture bbrun -w /etc -- ./../bin/echo relative-command
expect_eq "a relative command path is resolved against -w" "0 relative-command" "$RC $OUT"

# --hostname.
capture bbrun --hostname e2e-host -- /bin/sh -c 'hostname; uname -n'
expect_eq "--hostname: hostname and uname -n" $'e2e-host\ne2e-host' "$OUT"
capture srun --hostname e2e-host -- /usr/bin/uname -n
expect_eq "--hostname: glibc uname -n" e2e-host "$OUT"
capture bbrun -- /bin/hostname
expect_eq "the default host name is sandbox" sandbox "$OUT"
capture bbrun --hostname e2e-host -- /bin/sh -c 'hostname renamed && hostname'
expect_eq "the guest may rename its own host" renamed "$OUT"
expect_ne "  ...and the host's name is untouched" renamed "$(uname -n)"
