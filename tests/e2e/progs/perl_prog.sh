#!/bin/bash
# perl one-liners with regular expressions over a web server log copied to
# /tmp; run by t_prog_perl.sh natively and in the sentry.
T=$(mktemp -d /tmp/prog-XXXXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cp "$(dirname -- "$0")/access.log" "$T/access.log" && cd "$T" || exit 1

echo "-- requests and bytes per client, sorted"
perl -ne '/^(\d+(?:\.\d+){3}) \S+ (\S+) \[([^]]+)\] "(\w+) (\S+) [^"]*" (\d{3}) (\d+)/ or next;
	$n{$1}++; $b{$1} += $7; $u{$1} = $2 if $2 ne "-";
	END { printf "%-15s %d req %6d bytes %s\n", $_, $n{$_}, $b{$_}, $u{$_} // "" for sort { $b{$b} <=> $b{$a} || $a cmp $b } keys %n }' access.log
echo "-- status classes"
perl -lne 'print $1 if /" (\d)\d\d /' access.log | sort | uniq -c
echo "-- in-place edit with a backup"
perl -i.bak -pe 's{"(GET|HEAD) (/[^ ?"]*)(\?[^ "]*)?}{"$1 <$2>}g; s/(\d+)\.(\d+)\.(\d+)\.(\d+)/$1.$2.x.x/' access.log
head -3 access.log
cmp -s access.log access.log.bak || echo "changed; backup kept: $(wc -l <access.log.bak) lines"
echo "-- query strings"
perl -nle 'while (/[?&](\w+)=(\w+)/g) { print "$1 => $2" }' access.log.bak
echo "-- -a/-F, tr, sprintf, named captures, non-greedy, lookahead"
perl -F'\s+' -lane 'print join ",", @F[0, 8] if $F[8] && $F[8] =~ /^[45]/' access.log.bak
perl -ne 'print "$+{method} $+{path}\n" if /"(?<method>[A-Z]+) (?<path>\S+?)(?=[? ])/' access.log.bak | sort -u
perl -e 'my $s = "Hello, World"; (my $t = $s) =~ tr/a-zA-Z/n-za-mN-ZA-M/; print "$t\n"; printf "%05.1f|%-4s|%x\n", 3.14159, "ab", 255'
perl -0777 -ne 'my @l = split /\n/; printf "%d lines, %d matching /api/, longest %d chars\n", scalar @l, scalar(grep { m{/api/} } @l), (sort { $b <=> $a } map { length } @l)[0]' access.log.bak
echo "-- a bad regex is a compile error"
perl -ne 'print if /(unclosed/' access.log.bak 2>&1 | sed -E 's/ at -e line 1\.$//' | head -1
echo "perl rc=${PIPESTATUS[0]}"
echo "-- perl's own runtime: fork, pipe, sort, local time in UTC"
perl -e 'pipe(my $r, my $w) or die; my $pid = fork // die; if (!$pid) { close $r; print $w "from child $_\n" for 1..3; exit 7 } close $w; print sort { $b cmp $a } <$r>; waitpid($pid, 0); print "child exit ", $? >> 8, "\n"'
perl -MPOSIX=strftime -e 'print strftime("%Y-%m-%d %H:%M:%S", gmtime(981173106)), "\n"'
perl -e 'open(my $f, ">", "out.txt") or die; print $f "x" x 10; close $f; print -s "out.txt", "\n"; opendir(my $d, ".") or die; print join(" ", sort grep { !/^\./ } readdir $d), "\n"'
