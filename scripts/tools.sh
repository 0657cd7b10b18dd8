# Sourced by scripts/test and scripts/build-lambda: installs, into the fixed venv and only
# when missing, the pinned tools the serverless checks use.

# install_sam_tools VENV: SAM CLI, cfn-lint with the serverless rules, cargo-lambda and zig.
install_sam_tools() {
  local venv="$1"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" - <<'PY' 2>/dev/null && return 0
from importlib.metadata import version
pins = {"aws-sam-cli": "1.170.0", "cfn-lint": "1.58.0", "cfn-lint-serverless": "0.3.6",
        "cargo-lambda": "1.9.2", "ziglang": "0.17.1"}
assert all(version(name) == pin for name, pin in pins.items())
PY
  # moto is pinned in the same call so the resolver keeps the tests' server working.
  "$venv/bin/pip" install -q 'aws-sam-cli==1.170.0' 'cfn-lint==1.58.0' \
    'cfn-lint-serverless==0.3.6' 'cargo-lambda==1.9.2' 'ziglang==0.17.1' \
    'moto[dynamodb,sqs]==5.2.5' flask flask-cors
}
