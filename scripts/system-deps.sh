#!/usr/bin/env bash
# Installs the Debian packages ServicePact needs when they are missing:
#   run:  pango (WeasyPrint), CJK fonts (Chinese PDFs), gettext (translations)
#   test: the same, plus Debian's chromium (browser tests; browsers are never downloaded)
# As root it installs them with apt-get; otherwise it prints the exact command to run.
set -euo pipefail
want="${1:-run}"
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-noto-cjk gettext)
if [ "$want" = "test" ]; then pkgs+=(chromium); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install: ${missing[*]} (pango, Noto CJK fonts, gettext$( [ "$want" = test ] && echo ', chromium'))" >&2
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "system-deps: missing Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
