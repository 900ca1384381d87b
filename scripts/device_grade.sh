#!/usr/bin/env bash
# Grade a few A3/A4 submissions with Keras on JAX on a bare GPU machine (no TF there).
#
# Here (with internet access to the package index), once:
#   scripts/device_grade.sh --fetch-wheels      # downloads the pinned pure-Python stack into .whl/
# On the GPU machine (Python 3.12, JAX, no keras/papermill/nbgrader), from the repo root:
#   bash scripts/device_grade.sh                # installs .whl/ into /tmp/site, then grades
# It must finish in under 5 minutes (profile ci: tiny budgets, the bundled data sample).
set -euo pipefail
cd "$(dirname "$0")/.."

# The grader's pure-Python needs that a JAX-only machine lacks, at the versions of requirements.txt.
PACKAGES="keras nbgrader papermill nbformat nbclient nbconvert jupyter_client ipykernel traitlets
pyyaml tqdm rich psutil sqlalchemy alembic mako python-dateutil jinja2 markupsafe
mistune bleach tinycss2 pandocfilters defusedxml jupyterlab_pygments tenacity entrypoints
ansicolors click namex optree h5py ml_dtypes absl-py"

if [[ "${1:-}" == "--fetch-wheels" ]]; then
    mkdir -p .whl
    grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
    for name in $PACKAGES; do
        pin=$(grep -i -E "^${name//_/[-_]}==" requirements.txt | head -1 || true)
        python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
            --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
            --platform manylinux2014_x86_64 --platform any -d .whl "${pin:-$name}" >/dev/null
    done
    ls .whl
    exit 0
fi

python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site:$PWD KERAS_BACKEND=jax CNNBOOK_OFFLINE=1 PATH=/tmp/site/bin:$PATH
python3 -m ipykernel install --user --name python3 >/dev/null
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
time python3 scripts/device_grade.py --gpus "${GPUS:-0}" --profile ci --workers 4
