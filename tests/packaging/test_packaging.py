"""Desktop integration files, icons, the PyInstaller spec and `csdesk paths`."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from csdesk.cli import main, route_uri
from csdesk.services.about import DESKTOP_ID, about

ROOT = Path(__file__).resolve().parent.parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = DESKTOP_ID
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_and_metainfo_files_are_named_by_the_app_id() -> None:
    assert DESKTOP.is_file() and METAINFO.is_file()
    assert DESKTOP_ID.count(".") >= 2  # reverse-DNS, as AppStream asks


def test_desktop_entry_has_what_menus_need() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "csdesk"
    assert entry["Comment"]
    assert entry["Icon"] == "csdesk"
    assert entry["Terminal"] == "false"
    assert entry["Exec"].split() == ["csdesk", "%u"]
    assert "Office" in entry["Categories"].split(";")
    assert entry["Categories"].endswith(";") and entry["MimeType"].endswith(";")
    assert "x-scheme-handler/tel" in entry["MimeType"].split(";")


def test_desktop_file_validate_accepts_it() -> None:
    assert shutil.which("desktop-file-validate"), "apt-get install desktop-file-utils (.ci/run does)"
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout.lower()


def test_metainfo_is_well_formed_with_required_tags() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    for tag in ("id", "name", "summary", "metadata_license", "project_license", "description"):
        element = root.find(tag)
        assert element is not None, f"<{tag}> missing"
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP.name
    assert root.findtext("icon") == desktop_entry()["Icon"]
    releases = root.findall("releases/release")
    from csdesk import __version__

    assert releases and releases[0].get("version") == __version__


def test_appstreamcli_validates_metainfo() -> None:
    assert shutil.which("appstreamcli"), "apt-get install appstream (.ci/run does)"
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("size", SIZES)
def test_icon_exists_in_every_size(size: int) -> None:
    hicolor = LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "csdesk.png"
    bundled = ROOT / "resources" / "icons" / f"csdesk-{size}.png"
    assert png_size(hicolor) == (size, size)
    assert png_size(bundled) == (size, size)


def test_scalable_icon_is_the_source_svg() -> None:
    source = ROOT / "resources" / "icons" / "csdesk.svg"
    scalable = LINUX / "icons" / "hicolor" / "scalable" / "apps" / "csdesk.svg"
    assert scalable.read_bytes() == source.read_bytes()
    root = ET.parse(source).getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"


def test_windows_and_mac_icons_hold_the_sizes_they_need() -> None:
    ico = (ROOT / "packaging" / "windows" / "csdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 6
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
    icns = (ROOT / "packaging" / "macos" / "csdesk.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic08" in icns and b"ic09" in icns  # 256 and 512, what Finder and the Dock show


def test_spec_bundles_resources_and_platform_icons() -> None:
    spec = (ROOT / "packaging" / "csdesk.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec  # where paths.resources_dir() looks
    assert "csdesk.ico" in spec and "csdesk.icns" in spec and "BUNDLE(" in spec
    assert 'collect_submodules("csdesk")' in spec
    used = spec.split("QT_USED = [")[1].split("]")[0]
    unused = spec.split("QT_UNUSED = [")[1].split("]")[0]
    for name in ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtPrintSupport", "QtSvg"):
        assert f'"{name}"' in used, f"{name} is not bundled"
        assert f'"{name}"' not in unused, f"{name} is used but excluded"
    compile(spec, "csdesk.spec", "exec")


def test_install_desktop_puts_files_in_place_and_takes_them_away(tmp_path: Path) -> None:
    share = tmp_path / "share dir"  # a space, as in real home folders
    fake_exe = tmp_path / "my apps" / "csdesk"
    fake_exe.parent.mkdir()
    fake_exe.write_text("#!/bin/sh\n")
    fake_exe.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(share), "PATH": "/usr/bin:/bin"}
    script = str(LINUX / "install-desktop.sh")
    done = subprocess.run(
        ["sh", script, "--exec", str(fake_exe)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    installed = share / "applications" / f"{APP_ID}.desktop"
    text = installed.read_text(encoding="utf-8")
    assert f'Exec="{fake_exe}" %u' in text
    assert f"TryExec={fake_exe}" in text
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "csdesk.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "csdesk.svg").is_file()

    done = subprocess.run(["sh", script, "--uninstall"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not installed.exists()
    assert not list((share / "icons").rglob("csdesk.*"))


def test_install_desktop_refuses_a_path_that_breaks_exec(tmp_path: Path) -> None:
    odd = tmp_path / "100%" / "csdesk"
    odd.parent.mkdir()
    odd.write_text("#!/bin/sh\n")
    odd.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    done = subprocess.run(
        ["sh", str(LINUX / "install-desktop.sh"), "--exec", str(odd)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "move csdesk to a folder" in done.stderr
    assert not (tmp_path / "share" / "applications").exists()


def test_paths_json_reports_where_data_lives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "shop" / "front.db"
    main(["--db", str(db), "paths", "--json"])  # returns normally: exit status 0
    info = json.loads(capsys.readouterr().out)
    assert list(info) == [
        "version", "database", "server", "data", "backups", "templates", "resources", "frozen",
        "keychain_backends",
    ]
    assert info["server"] is None  # a file, not a PostgreSQL server
    # keyring's own backends, found through its entry points (the bundle must carry them too).
    assert {"SecretService", "Windows", "macOS"} <= set(info["keychain_backends"])
    from csdesk import __version__

    assert info["version"] == __version__
    assert info["database"] == str(db.resolve())
    data = Path(os.environ["CSDESK_DATA_DIR"]).resolve()
    assert info["data"] == str(data)
    assert info["backups"] == str(data / "backups")
    assert info["templates"] == str(data / "letters")
    assert Path(info["resources"], "icons", "csdesk.svg").is_file()
    assert info["frozen"] is False
    assert not db.parent.exists()  # asking where data lives must not create it


def test_paths_text_and_csdesk_db_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "from-env.db"
    monkeypatch.setenv("CSDESK_DB", str(db))
    main(["paths"])
    out = capsys.readouterr().out
    assert out.startswith("csdesk ")
    assert f"Database:       {db.resolve()}" in out
    assert about().database == db.resolve()
    labels = [label for label, _ in about().folders()]
    assert labels == ["Database folder", "Backups", "Your letter templates"]


def test_paths_command_imports_no_qt() -> None:
    code = (
        "import sys; from csdesk.cli import main\n"
        "try:\n    main(['paths', '--json'])\nexcept SystemExit:\n    pass\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt loaded'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert '"frozen": false' in done.stdout


@pytest.mark.parametrize(
    ("argv", "commands", "routed"),
    [
        (["tel:+15550104477"], {"search", "call"}, ["call", "tel:+15550104477"]),
        (["--db", "x.db", "TEL:555"], {"call"}, ["--db", "x.db", "call", "TEL:555"]),
        (["callto:555"], {"call"}, ["call", "callto:555"]),
        (["tel:+15550104477"], {"search"}, []),  # no `call` yet: open the window
        (["search", "tel:555"], {"search", "call"}, ["search", "tel:555"]),
        (["--db", "tel:odd.db"], {"call"}, ["--db", "tel:odd.db"]),
        (["--", "tel:1"], {"call"}, ["--", "tel:1"]),
        ([], {"call"}, []),
        (["search", "--json", "--", "a"], {"search"}, ["search", "--json", "--", "a"]),
    ],
)
def test_route_uri_hands_phone_links_to_call(
    argv: list[str], commands: set[str], routed: list[str]
) -> None:
    assert route_uri(argv, commands) == routed
