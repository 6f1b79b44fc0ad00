"""The set-up a newcomer gets from `make test`: the Makefile installs the Debian packages, CI adds nothing.

The fake `apt-get`, `dpkg-query` and `id` below stand in for a machine we cannot be (a fresh Debian box,
a non-root user); the script and the Makefile run for real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MAKE = shutil.which("make") or "make"


def makefile_packages() -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^SYSTEM_PACKAGES := \\\n((?:\t.*\n)+)", text, re.M)
    assert block, "the Makefile lists its Debian packages in SYSTEM_PACKAGES"
    return [line.strip().rstrip("\\").strip() for line in block.group(1).splitlines()]


def fake_machine(tmp_path: Path, *, uid: int, installed: list[str], dpkg: bool = True) -> Path:
    """A bin folder whose tools describe another machine; apt-get records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "sed", "grep", "printf"):
        real = shutil.which(tool)
        if real:
            (bin_dir / tool).symlink_to(real)
    scripts = {
        "id": f"#!/bin/sh\necho {uid}\n",
        "apt-get": f'#!/bin/sh\necho "$*" >> {tmp_path}/apt.log\n',
    }
    if dpkg:
        lines = "".join(f"echo 'installed {name}'\n" for name in installed)
        scripts["dpkg-query"] = f"#!/bin/sh\n{lines}exit 1\n"
    for name, body in scripts.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    return bin_dir


def make_system_packages(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": str(bin_dir)}
    return subprocess.run([MAKE, "-s", "-C", str(ROOT), "system-packages"], env=env,
                          capture_output=True, text=True, timeout=60)


def test_ci_types_what_a_newcomer_types() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get" not in ci and "dpkg" not in ci
    assert re.search(r"^make test$", ci, re.M)


def test_run_test_and_dist_install_system_packages_first() -> None:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "dist"):
        assert re.search(rf"^{target}: system-packages ", text, re.M), target
    packages = makefile_packages()
    needed = {"poppler-utils", "desktop-file-utils", "appstream", "postgresql", "libxcb-cursor0"}
    assert needed <= set(packages)


def test_this_machine_has_them_and_apt_is_not_run() -> None:
    done = subprocess.run([MAKE, "-s", "-C", str(ROOT), "system-packages"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == ""


def test_root_on_a_fresh_debian_machine_gets_the_missing_packages(tmp_path: Path) -> None:
    packages = makefile_packages()
    bin_dir = fake_machine(tmp_path, uid=0, installed=packages[:3])
    done = make_system_packages(bin_dir)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].split()[-len(packages) + 3:] == packages[3:]
    assert "install" in calls[1].split() and packages[0] not in calls[1].split()


def test_a_machine_with_everything_does_not_call_apt(tmp_path: Path) -> None:
    bin_dir = fake_machine(tmp_path, uid=0, installed=makefile_packages())
    done = make_system_packages(bin_dir)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "apt.log").exists()


def test_a_user_who_is_not_root_is_told_the_one_command(tmp_path: Path) -> None:
    packages = makefile_packages()
    bin_dir = fake_machine(tmp_path, uid=1000, installed=[])
    done = make_system_packages(bin_dir)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.startswith("csdesk:")]
    assert lines == [f"csdesk: missing system packages; run: sudo apt-get install --no-install-recommends "
                     f"{' '.join(packages)}"]
    assert not (tmp_path / "apt.log").exists()


def test_a_machine_without_dpkg_is_told_the_debian_names_and_goes_on(tmp_path: Path) -> None:
    bin_dir = fake_machine(tmp_path, uid=1000, installed=[], dpkg=False)
    done = make_system_packages(bin_dir)
    assert done.returncode == 0
    said = "csdesk: not a Debian system; install your system's equivalents of:"
    assert done.stderr.strip().startswith(said)
    assert "postgresql" in done.stderr
