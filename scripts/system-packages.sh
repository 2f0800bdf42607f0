#!/usr/bin/env bash
# Install the Debian packages Ordinance needs, where they are missing.
#   scripts/system-packages.sh run    python3-venv, wkhtmltopdf and poppler-utils (notices as PDF),
#                                     graphviz (workflows drawn as state diagrams)
#   scripts/system-packages.sh test   the above, plus chromium (browser tests),
#                                     and postgresql
set -euo pipefail
want=(wkhtmltopdf poppler-utils fonts-dejavu-core graphviz)
python3 -c 'import ensurepip, venv' 2>/dev/null || want+=(python3-venv)
if [ "${1:-run}" = test ]; then want+=(chromium postgresql); fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Ordinance needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
