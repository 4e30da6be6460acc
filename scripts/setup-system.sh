#!/bin/sh
# System packages fupin's tests need, from Debian/Ubuntu:
#   Java (HermiT, via owlready2), Debian's chromium (pages in headless Chromium
#   through Playwright), raptor's `rapper` (an independent Turtle parser), a CJK
#   font (Chinese in screenshots). Skips what is already there.
set -e
need=""
command -v java >/dev/null 2>&1 || need="$need default-jre-headless"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v rapper >/dev/null 2>&1 || need="$need raptor2-utils"
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need="$need fonts-wqy-microhei"
[ -z "$need" ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need
