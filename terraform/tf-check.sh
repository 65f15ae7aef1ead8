#!/usr/bin/env bash
# Terraform checks, run by `make tf-check` and `make test`:
#   1. terraform fmt -check
#   2. terraform init -backend=false + validate, for the root and every module
#   3. terraform test (tests/*.tftest.hcl, mock_provider "aws")
#   4. checkov, zero failed checks and zero parsing errors (skips: terraform/.checkov.yaml)
#   5. check-tf-schema (schema lint of the offline toolchain; reported as not run where absent)
#
# Everything runs on a scratch copy of terraform/ and config/ (plus a fresh `etl_deploy.package`
# build as dist/), so no .terraform/, lock file or plan lands in the tree. Every step runs; the script
# exits non-zero if any failed.
#
# Environment: PY (python with etl_deploy; default .venv/bin/python), CHECKOV_PYTHON (python used
# to create .cache/checkov-venv; default python3.11).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PY:-$ROOT/.venv/bin/python}"
CHECKOV_VERSION="3.3.30"
CHECKOV_VENV="$ROOT/.cache/checkov-venv"
CHECKOV_PYTHON="${CHECKOV_PYTHON:-python3.11}"

command -v terraform >/dev/null 2>&1 || {
  echo "tf-check: error: terraform is not on PATH (offline: eval \"\$(../shared/tf-offline/setup --env)\"; otherwise install Terraform >= 1.10)" >&2
  exit 1
}
[ -x "$PY" ] || { echo "tf-check: error: $PY not found: run \`make venv\` or set PY=/path/to/python" >&2; exit 1; }

export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/tf-check.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
FAILED=()
SECONDS_TOTAL_START=$SECONDS

banner() { printf '\n==> %s\n' "$*"; }
# run_step NAME CMD...: runs CMD, prints its output and time, records a failure.
run_step() {
  local name="$1"; shift
  local start=$SECONDS
  printf -- '--- %s\n    $ %s\n' "$name" "$*"
  if "$@" >"$SCRATCH/step.log" 2>&1; then
    sed 's/^/    /' "$SCRATCH/step.log" | tail -n "${TAIL_LINES:-3}"
    printf '    ok (%ss)\n' "$((SECONDS - start))"
  else
    sed 's/^/    /' "$SCRATCH/step.log" | tail -n 60
    printf '    FAILED (%ss)\n' "$((SECONDS - start))"
    FAILED+=("$name")
  fi
}

# Pristine copies: one for static scanners, one to init/validate/test in.
copy_tree() {
  mkdir -p "$1"
  (cd "$ROOT" && tar -cf - --exclude='.terraform' --exclude='.terraform.lock.hcl' --exclude='*.tfstate*' \
    --exclude='tfplan' --exclude='plan.json' --exclude='*_override.tf' --exclude='override.tf' terraform config) \
    | tar -xf - -C "$1"
}
copy_tree "$SCRATCH/src"
copy_tree "$SCRATCH/work"
TF="$SCRATCH/work/terraform"

banner "terraform $(terraform version | head -1 | sed 's/^Terraform //'): formatting"
run_step "fmt -check" terraform -chdir="$SCRATCH/src/terraform" fmt -check -recursive -diff

banner "package (dist/ for the code_upload module)"
run_step "etl_deploy.package" "$PY" -m etl_deploy.package --root "$ROOT" --out "$SCRATCH/work/dist"

banner "init -backend=false + validate: root and every module"
for dir in "$TF" "$TF"/modules/*/; do
  dir="${dir%/}"
  label="${dir#"$SCRATCH/work/"}"
  run_step "init $label" terraform -chdir="$dir" init -backend=false -input=false -no-color
  TAIL_LINES=1 run_step "validate $label" terraform -chdir="$dir" validate -no-color
done

banner "terraform test (mock_provider \"aws\")"
TAIL_LINES=40 run_step "test" terraform -chdir="$TF" test -no-color

banner "checkov $CHECKOV_VERSION (skips and reasons: terraform/.checkov.yaml)"
installed_checkov="$("$CHECKOV_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true)"
if [ "$installed_checkov" != "$CHECKOV_VERSION" ]; then
  run_step "install checkov==$CHECKOV_VERSION into .cache/checkov-venv" bash -c \
    "rm -rf '$CHECKOV_VENV' && '$CHECKOV_PYTHON' -m venv '$CHECKOV_VENV' && '$CHECKOV_VENV/bin/pip' install --quiet --disable-pip-version-check 'checkov==$CHECKOV_VERSION'"
fi
checkov_gate() {
  # checkov exits 0 on HCL parse errors: read its JSON and fail on failed checks or parsing errors.
  (cd "$SCRATCH/src" && "$CHECKOV_VENV/bin/checkov" -d terraform --config-file terraform/.checkov.yaml -o json \
    >"$SCRATCH/checkov.json" 2>"$SCRATCH/checkov.err")
  "$CHECKOV_VENV/bin/python" - "$SCRATCH/checkov.json" "$SCRATCH/checkov.err" <<'PYEOF'
import json, sys
try:
    reports = json.load(open(sys.argv[1]))
except ValueError:
    print("checkov printed no JSON report:\n" + open(sys.argv[2]).read()[-2000:])
    sys.exit(1)
reports = reports if isinstance(reports, list) else [reports]
bad = 0
for report in reports:
    summary = report.get("summary", {})
    print(f"{report.get('check_type')}: passed {summary.get('passed')}, failed {summary.get('failed')}, "
          f"parsing errors {summary.get('parsing_errors')}, resources {summary.get('resource_count')}")
    for check in report.get("results", {}).get("failed_checks", []):
        print(f"  FAILED {check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})")
    for path in report.get("results", {}).get("parsing_errors", []):
        print(f"  PARSE ERROR {path}")
    bad += int(summary.get("failed", 0)) + int(summary.get("parsing_errors", 0))
    if not summary.get("passed"):
        print("  no check passed: checkov scanned nothing")
        bad += 1
sys.exit(1 if bad else 0)
PYEOF
}
if [ -x "$CHECKOV_VENV/bin/checkov" ]; then
  TAIL_LINES=20 run_step "checkov" checkov_gate
else
  FAILED+=("checkov (not installed)")
fi

banner "check-tf-schema (offline toolchain schema lint)"
if command -v check-tf-schema >/dev/null 2>&1; then
  # It walks the root and every module below it.
  run_step "check-tf-schema" check-tf-schema "$SCRATCH/src/terraform"
else
  echo "--- check-tf-schema: NOT RUN: the command comes with the offline toolchain (../shared/tf-offline/setup --env),"
  echo "    which is not on PATH here; CI (.ci/run) installs it. terraform validate above still checked the schema."
fi

banner "summary ($((SECONDS - SECONDS_TOTAL_START))s)"
if [ "${#FAILED[@]}" -gt 0 ]; then
  printf 'tf-check: FAILED: %s\n' "${FAILED[@]}"
  exit 1
fi
echo "tf-check: all Terraform checks passed"
