#!/usr/bin/env bash
# Checks the monitoring mixin: the alert rules load (promtool check rules), every alert behaves as its
# unit tests say (promtool test rules), the dashboard is valid JSON, and every leadsync_* metric the
# rules and the dashboard query is one that leadsync exports (so a renamed metric cannot silently
# leave an alert that never fires).
#   monitoring/check.sh [REPO_ROOT]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
mon="$root/monitoring"
command -v promtool >/dev/null || { echo "promtool not found (Debian package: prometheus)" >&2; exit 1; }

promtool check rules "$mon/alerts.yaml"
(cd "$mon/tests" && promtool test rules alerts_test.yaml)

python3 - "$root" <<'PY'
import json, re, sys, pathlib
root = pathlib.Path(sys.argv[1])
dashboard = json.loads((root / "monitoring/dashboard.json").read_text())
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
exprs += [v.get("query", "") for v in dashboard["templating"]["list"] if isinstance(v.get("query"), str)]
used = set(re.findall(r"\bleadsync_[a-z_]+", "\n".join(exprs) + (root / "monitoring/alerts.yaml").read_text()))
exported = set(re.findall(r'"(leadsync_[a-z_]+)"', (root / "daemon/src/metrics.cpp").read_text()))
unknown = sorted(n for n in used if n not in exported and re.sub(r"_(bucket|sum|count)$", "", n) not in exported)
if unknown:
    sys.exit("monitoring queries metrics leadsync does not export: " + ", ".join(unknown))
print(f"dashboard: {len(dashboard['panels'])} panels; {len(used)} metric names, all exported")
PY
