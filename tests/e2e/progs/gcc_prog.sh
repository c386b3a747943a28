#!/bin/bash
# Build the multi-file C program in progs/cproj with make -j2 in a scratch
# directory in /tmp, run it, rebuild after a change, and see gcc report an
# error; run by t_prog_gcc.sh natively and in the sentry.  Parallel make
# prints its commands in either order: they are sorted.
T=$(mktemp -d /tmp/prog-XXXXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cp -r "$(dirname -- "$0")/cproj" "$T/" && cd "$T/cproj" || exit 1
# Timestamps make compares must be older than what it builds.
touch -d '2001-01-01 UTC' ./*.c ./*.h Makefile

echo "-- make -j2"
make -j2 2>&1 | sort
echo "make rc=${PIPESTATUS[0]}"
ls *.o proj
./proj hello sentry; echo "proj rc=$?"
./proj a b c; echo "proj rc=$?"
echo "-- make again"
make -j2; echo "make rc=$?"
echo "-- after touching util.c"
touch util.c
make -j2 2>&1 | sort; echo "make rc=${PIPESTATUS[0]}"
echo "-- one gcc command, -pipe, and a static link"
gcc -pipe -O2 -o proj2 main.c util.c stats.c -lm && ./proj2 x
gcc -static -O1 -o proj-static main.c util.c stats.c -lm && ./proj-static y | tail -1
file_type=$(od -An -c -N4 proj-static | tr -d ' '); echo "ELF magic: $file_type"
echo "-- preprocessor, assembler output"
gcc -E -P -DX=42 - <<<'int x = X;'
gcc -S -O2 -o - util.c | grep -c 'str_reverse' 
echo "-- a compile error"
printf 'int main(void) { return undeclared; }\n' >bad.c
gcc -c bad.c; echo "gcc rc=$?"
echo "-- make clean"
make clean && ls
