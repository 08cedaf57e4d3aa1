#!/usr/bin/env bash
# Install the system from this offline bundle into a new virtualenv: no network, every archive checked
# against the lock's SHA-256 hashes. Usage: ./install.sh /opt/apprenticeship/venv
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:?用法：install.sh <虚拟环境目录>，例如 install.sh /opt/apprenticeship/venv}"
python="${PYTHON:-python3}"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --no-index --find-links "$here/wheels" --require-hashes -r "$here/requirements.txt"
"$venv/bin/python" -m pip install -q --no-index --no-deps "$here"/wheels/apprenticeship-*.whl
"$venv/bin/python" -m pip check
echo "已安装到 $venv：$("$venv/bin/python" -m pip show apprenticeship | sed -n 's/^Version: //p')"
