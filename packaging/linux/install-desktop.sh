#!/bin/sh
# Add csdesk to this user's application menu (icon, launcher, tel: link handler), or take it out.
#   sh install-desktop.sh [--exec /path/to/csdesk]     install (default: the csdesk next to this folder)
#   sh install-desktop.sh --uninstall                  remove
# Nothing needs root: files go under ${XDG_DATA_HOME:-~/.local/share}. Your data is never touched.
set -eu

APP_ID=app.csdesk.csdesk
here=$(cd "$(dirname "$0")" && pwd)
share=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$share/applications
icons=$share/icons/hicolor
metainfo=$share/metainfo
mode=install
exe=

while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) mode=uninstall ;;
    --exec) exe=${2:?--exec needs the path of the csdesk program}; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "install-desktop.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

refresh() {
  # Menus and icon caches pick the change up without logging out, where these tools exist.
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$apps" || true; fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$icons" || true
  fi
}

if [ "$mode" = uninstall ]; then
  rm -f "$apps/$APP_ID.desktop" "$metainfo/$APP_ID.metainfo.xml"
  for dir in "$here"/icons/hicolor/*/apps; do
    size=$(basename "$(dirname "$dir")")
    rm -f "$icons/$size/apps/csdesk.png" "$icons/$size/apps/csdesk.svg"
  done
  refresh
  echo "csdesk is no longer in your menu. Your customers' data is still in its data folder."
  exit 0
fi

if [ -z "$exe" ]; then
  # Inside the unpacked bundle this script sits in csdesk/desktop/, next to the program.
  if [ -x "$here/../csdesk" ] && [ -f "$here/../csdesk" ]; then
    exe=$here/../csdesk
  elif command -v csdesk >/dev/null 2>&1; then
    exe=$(command -v csdesk)
  else
    echo "install-desktop.sh: cannot find the csdesk program; pass --exec /path/to/csdesk" >&2
    exit 1
  fi
fi
if [ ! -x "$exe" ]; then
  echo "install-desktop.sh: $exe is not a program I can run; pass --exec /path/to/csdesk" >&2
  exit 1
fi
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
case "$exe" in
  *[\"\`\$\\%]*)
    echo "install-desktop.sh: move csdesk to a folder whose name has no \" \` \$ \\ or % in it" >&2
    exit 1 ;;
esac

mkdir -p "$apps" "$metainfo"
# Quote the path so folders with spaces work (desktop entry Exec rules).
awk -v exec="\"$exe\" %u" -v try="$exe" '
  /^Exec=/ { print "Exec=" exec; next }
  /^TryExec=/ { print "TryExec=" try; next }
  { print }
' "$here/$APP_ID.desktop" > "$apps/$APP_ID.desktop.tmp"
mv "$apps/$APP_ID.desktop.tmp" "$apps/$APP_ID.desktop"
cp "$here/$APP_ID.metainfo.xml" "$metainfo/$APP_ID.metainfo.xml"
for dir in "$here"/icons/hicolor/*/apps; do
  size=$(basename "$(dirname "$dir")")
  mkdir -p "$icons/$size/apps"
  cp "$dir"/csdesk.* "$icons/$size/apps/"
done
refresh

# Become the handler for tel: links only if nothing else already is: never steal a user's choice.
if command -v xdg-mime >/dev/null 2>&1; then
  if [ -z "$(xdg-mime query default x-scheme-handler/tel 2>/dev/null || true)" ]; then
    xdg-mime default "$APP_ID.desktop" x-scheme-handler/tel 2>/dev/null || true
  fi
fi
echo "csdesk is in your applications menu (Office). It runs $exe"
