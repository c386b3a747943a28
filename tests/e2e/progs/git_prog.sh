#!/bin/bash
# git in a scratch repository in /tmp: init, config, add, commit, log,
# branch, checkout, diff, merge; run by t_prog_git.sh natively and in the
# sentry.  Author, committer and dates are fixed, so the commit hashes are
# the same everywhere; no system or user configuration is read.
T=$(mktemp -d /tmp/prog-XXXXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
export HOME=$T GIT_CONFIG_NOSYSTEM=1 GIT_PAGER=cat PAGER=cat
export GIT_AUTHOR_NAME="Prog Test" GIT_AUTHOR_EMAIL=prog@example.com
export GIT_COMMITTER_NAME="Prog Test" GIT_COMMITTER_EMAIL=prog@example.com
n=0
# at: the dates of the next commit, one minute after the last.
at()
{
	n=$((n + 1))
	GIT_AUTHOR_DATE=2001-02-03T04:$(printf %02d $n):00Z
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}
set -e
cd "$T"
git init -q -b main repo
cd repo
git config user.name "Prog Test"
git config user.email prog@example.com
git config core.autocrlf false
git config --list --local | sort
printf 'line 1\nline 2\nline 3\n' >file.txt
mkdir -p src && printf 'int main(void) { return 0; }\n' >src/main.c
git status --short
git add .
git status --short
at; git commit -q -m "first commit"
git log --oneline
echo "line 4" >>file.txt
git diff
git diff --stat
at; git commit -q -am "second: line 4"
git branch feature
git checkout -q feature
sed -i 's/line 2/line two/' file.txt
printf 'new\n' >src/new.c
git add -A
at; git commit -q -m "feature: rename line 2, add new.c"
git log --oneline --all --graph
git checkout -q main
echo "on main: $(git rev-parse --abbrev-ref HEAD), file has $(grep -c . file.txt) lines, new.c: $(test -e src/new.c && echo yes || echo no)"
git diff main feature
git diff --name-status main feature
echo "line 5" >>file.txt
at; git commit -q -am "main: line 5"
at; git merge -q --no-edit feature -m "merge feature"
cat file.txt
git log --oneline --graph
git branch -a
git show --stat --format='%H %an <%ae> %ad %s' --date=iso-strict HEAD~1
git rev-list --count HEAD
git cat-file -p HEAD | head -3
git tag -a v1 -m "version 1"
git describe --tags
git stash list
echo dirty >>file.txt
git stash -q
git stash list | sed 's/WIP on main: [0-9a-f]* /WIP on main: HASH /'
git stash pop -q && git diff --stat
git checkout -q -- file.txt
git gc -q --aggressive
git fsck --no-progress 2>&1 && echo "fsck ok"
git count-objects -v | grep -E '^(count|in-pack|packs):'
git clone -q "$T/repo" "$T/clone"
git -C "$T/clone" log --oneline | head -2
git log --format='%h %s' --reverse -- src/
set +e
git checkout no-such-branch 2>&1; echo "checkout rc=$?"
git commit -m "nothing" 2>&1; echo "empty commit rc=$?"
