#!/usr/bin/env bash
# Smoke-test the built bundle the way a shop machine runs it: no virtual environment, no Python
# on PATH, a throwaway HOME. Run after `make dist`:  bash packaging/smoke_test.sh [dist/csdesk]
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-dist/csdesk}
app=$(cd "$bundle" && pwd)/csdesk
checker=$(command -v python3)  # only reads the JSON we print; the app itself never sees it
[ -x "$app" ] || { echo "smoke: $app is missing: run make dist first" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home"
# A bare environment: the bundle must not lean on a venv, PYTHONPATH or the developer's HOME.
bare() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 "$@"; }
ms() { date +%s%N | cut -b1-13; }
pass=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }

expected=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' csdesk/__init__.py)
t0=$(ms); version=$(bare "$app" --version); t1=$(ms)
[[ "$version" == *"$expected"* ]] || { echo "smoke: --version said '$version', expected $expected" >&2; exit 1; }
ok "--version: $version ($((t1 - t0)) ms)"

db="$tmp/shop.db"
bare "$app" --db "$db" demo --customers 50 > "$tmp/demo.txt"
grep -q "Added 50 demo customers" "$tmp/demo.txt" || { cat "$tmp/demo.txt" >&2; exit 1; }
ok "demo --customers 50"

t0=$(ms); bare "$app" --db "$db" search --json -- a > "$tmp/search.json"; t1=$(ms)
"$checker" - "$tmp/search.json" <<'PY'
import json, sys
hits = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(hits, list) and hits, f"expected a non-empty list, got {hits!r}"
assert all({"id", "display_name", "phones"} <= set(h) for h in hits), hits[0]
PY
ok "search --json -- a: $(grep -c '"id"' "$tmp/search.json") hits ($((t1 - t0)) ms)"

bare "$app" --db "$db" paths --json > "$tmp/paths.json"
"$checker" - "$tmp/paths.json" <<'PY'
import json, pathlib, sys
info = json.load(open(sys.argv[1], encoding="utf-8"))
assert info["frozen"] is True, info
icons = pathlib.Path(info["resources"]) / "icons"
assert (icons / "csdesk.svg").is_file() and (icons / "csdesk-256.png").is_file(), icons
PY
"$checker" - "$tmp/paths.json" <<'PY'
import json, sys
found = set(json.load(open(sys.argv[1], encoding="utf-8"))["keychain_backends"])
# keyring's own backends, found through the entry points its bundled metadata carries.
assert {"SecretService", "Windows", "macOS"} <= found, found
PY
ok "paths --json: frozen, bundled resources found, keychain backends found"

# Insights as a PDF: QtCharts (PySide6-Addons) and the OpenGL libraries it links to are bundled.
bare QT_QPA_PLATFORM=offscreen "$app" --db "$db" report insights --period last_4_weeks \
  -o "$tmp/insights.pdf" --json > "$tmp/insights.json"
"$checker" - "$tmp/insights.json" "$tmp/insights.pdf" <<'PY'
import json, sys
info = json.load(open(sys.argv[1], encoding="utf-8"))
assert info["format"] == "pdf" and info["pages"] >= 2, info
assert open(sys.argv[2], "rb").read()[:5] == b"%PDF-"
PY
ok "report insights: a $(grep -o '"pages": [0-9]*' "$tmp/insights.json") PDF with charts"

# A clicked tel: link must not crash the app (it goes to `csdesk call` once that exists).
bare "$app" --db "$db" search --json -- "tel:+15550104477" > /dev/null
ok "tel: text is safe search input"

# "Add to menu" from the unpacked bundle: the launcher must point at this very executable.
XDG_DATA_HOME="$tmp/share" sh "$bundle/desktop/install-desktop.sh" > /dev/null
entry="$tmp/share/applications/app.csdesk.csdesk.desktop"
grep -qxF "Exec=\"$app\" %u" "$entry" || { echo "smoke: bad launcher:" >&2; cat "$entry" >&2; exit 1; }
[ -f "$tmp/share/icons/hicolor/48x48/apps/csdesk.png" ] || { echo "smoke: icon not installed" >&2; exit 1; }
if command -v desktop-file-validate > /dev/null; then desktop-file-validate "$entry"; fi
ok "desktop/install-desktop.sh: menu entry runs $app"

if grep -qs CSDESK_STARTUP_PROBE csdesk/ui/app.py; then
  # The window, headless: the probe prints when the search field is usable, then quits.
  t0=$(ms)
  out=$(bare QT_QPA_PLATFORM=offscreen CSDESK_STARTUP_PROBE=1 timeout 120 "$app" --db "$db" 2>&1) || {
    echo "smoke: the window did not start:" >&2; echo "$out" >&2; exit 1; }
  t1=$(ms)
  [[ "$out" == *"usable=True"* ]] || { echo "smoke: window probe said: $out" >&2; exit 1; }
  ok "window (offscreen) usable in $((t1 - t0)) ms: $(grep -o 'main_ms=[0-9.]*' <<<"$out")"
else
  echo "note no startup probe in this build (csdesk/ui/app.py): window start not checked"
fi
echo "$pass passed, 0 failed"
