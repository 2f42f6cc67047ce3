"""A plain ``pip install .`` (not only editable) carries everything the bot reads at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_catalogues_migrations_and_the_chat_page(tmp_path: Path) -> None:
    # Build from a copy of the tracked files: nothing left behind in the work tree.
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(tmp_path)],
        check=True, capture_output=True, timeout=300, cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("vi", "en"):
        for po in (source / "locales" / lang / "LC_MESSAGES").glob("*.po"):
            assert f"locales/{lang}/LC_MESSAGES/{po.name}" in names
    for migration in (source / "storage" / "migrations").glob("*.sql"):
        assert f"storage/migrations/{migration.name}" in names
    for static in (source / "bot" / "sandbox" / "static").iterdir():
        assert f"bot/sandbox/static/{static.name}" in names
    # The dashboard's templates and stylesheet (the web pages break without them).
    dashboard = source / "bot" / "app" / "web" / "dashboard"
    for kind in ("templates", "static"):
        for asset in (dashboard / kind).iterdir():
            assert f"bot/app/web/dashboard/{kind}/{asset.name}" in names
    assert {"bot/__main__.py", "handlers/kit/dispatch.py", "storage/db.py"} <= names
