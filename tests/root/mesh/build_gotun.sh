#!/bin/bash
# Builds the blog post's own Go program (its server, section 3.1: the Go code between
# "3.1、代码如下" and "3.2、") from the text, as bench/run.sh and ../shared/bench/anchors.sh do,
# unchanged: its constants are already the test's addresses (local 10.211.55.123:8285, remote
# 10.211.55.122:8285, tunnel 10.244.3.3). Usage: build_gotun.sh BLOG_POST OUT_DIR
# Exit 77 (skipped) when the blog post's text is not there; 1 when the build fails.
set -u
post=$1 out=$2
if [ ! -r "$post" ]; then
    echo "build_gotun: the blog post's text is not at $post; nothing to build the Go program from" >&2
    exit 77
fi
command -v go >/dev/null || { echo "build_gotun: go is not installed (scripts/deps.sh installs golang-go)" >&2; exit 1; }
mkdir -p "$out/src/gotun-server"
awk '$0 ~ "^3\\.1、代码如下" {f=1; next} $0 ~ "^3\\.2、" {f=0} f' "$post" | sed -n '/^package main/,$p' \
    > "$out/src/gotun-server/main.go"
grep -q '^package main' "$out/src/gotun-server/main.go" || { echo "build_gotun: no Go code found in section 3.1 of $post" >&2; exit 1; }
grep -q 'localAddr  = "10.211.55.123:8285"' "$out/src/gotun-server/main.go" ||
    { echo "build_gotun: the server's address constants are not the ones the test expects" >&2; exit 1; }
cd "$out/src/gotun-server" &&
    GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$out/gocache" GOFLAGS= CGO_ENABLED=0 \
        go build -o "$out/gotun-server" main.go ||
    { echo "build_gotun: go build failed (needs golang-github-vishvananda-netlink-dev)" >&2; exit 1; }
echo "build_gotun: built $out/gotun-server"
