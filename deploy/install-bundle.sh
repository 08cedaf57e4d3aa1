#!/usr/bin/env bash
# Install the system from this offline bundle into a new virtualenv: no network, every archive checked
# against the lock's SHA-256 hashes. Usage: ./install.sh /opt/apprenticeship/venv
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$(realpath -m "${1:?用法：install.sh <虚拟环境目录>，例如 install.sh /opt/apprenticeship/venv}")"
python="${PYTHON:-python3}"
"$python" -m venv "$venv"
# One pip run: the locked dependencies and the system's own wheel, every archive hash-checked (pip refuses a
# dependency the lock does not pin, so an incomplete lock cannot slip through).
cd "$here"
"$venv/bin/python" -m pip install -q --no-index --find-links wheels --require-hashes \
  -r requirements.txt -r requirements-app.txt
echo "已安装到 $venv：$("$venv/bin/python" -m pip show apprenticeship | sed -n 's/^Version: //p')"
