"""The image and the compose file, proven without a container engine.

The Dockerfile installs with ``scripts/install --production``, the script ``./dev`` runs too;
running it here in a copy of the project proves the image's install step and that the
runtime dependencies alone import every module. hadolint (from PyPI) lints the Dockerfile;
the compose file's structure is checked with PyYAML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.parts import PARTS
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    done = subprocess.run([str(hadolint), "--no-color", str(ROOT / "Dockerfile")],
                          capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_the_image_and_dev_install_with_the_same_script() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    dev = (ROOT / "dev").read_text()

    assert re.search(r"^RUN scripts/install --production$", dockerfile, re.MULTILINE)
    assert re.search(r"^\s+scripts/install$", dev, re.MULTILINE)
    assert "pip install" not in dockerfile
    assert "pip install" not in dev


def test_the_image_is_multi_stage_runs_as_non_root_and_has_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert len(re.findall(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)) == 2
    assert "COPY --from=build /app /app" in dockerfile
    assert re.search(r"^USER 10001:10001$", dockerfile, re.MULTILINE)
    assert 'CMD ["python", "-m", "bot.observability.probe"]' in dockerfile
    for variable in re.findall(r"\b(CASHBACK_[A-Z_]+)=", dockerfile):
        assert variable.removeprefix("CASHBACK_").lower() in Settings.model_fields, variable


def test_compose_runs_postgres_the_bot_and_each_worker() -> None:
    services = compose()["services"]

    assert set(services) == {"postgres", "migrate", *PARTS}  # one service per part of `run`
    for part in PARTS:
        service = services[part]
        assert service["command"] == ["run", "--only", part]
        assert service["build"] == "."
        assert service["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}}
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "documents:/data" in service["volumes"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["healthcheck"] == {"disable": True}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert set(compose()["volumes"]) == {"postgres", "documents"}


def test_every_setting_compose_and_env_example_name_exists() -> None:
    services = compose()["services"]
    names = {key for service in services.values() if service.get("image") != "postgres"
             for key in service.get("environment", {}) if key.startswith("CASHBACK_")}
    names |= {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
              if line.startswith("CASHBACK_")}

    assert names
    for name in names:
        assert name.removeprefix("CASHBACK_").lower() in Settings.model_fields, name


def test_the_production_install_imports_every_module(tmp_path: Path) -> None:
    """The image's install step, for real: runtime dependencies only, catalogs compiled."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    copy = tmp_path / "app"
    for name in listed.splitlines():
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "benchmarks/")):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)

    subprocess.run(["scripts/install", "--production"], cwd=copy, check=True,
                   capture_output=True)

    python = copy / ".venv" / "bin" / "python"
    assert list((copy / "locales").glob("*/LC_MESSAGES/messages.mo"))
    imported = subprocess.run(
        [str(python), "-c", "import importlib, importlib.util, pkgutil\n"
         "for package in ('core', 'storage', 'bot', 'sandbox'):\n"
         "    for module in pkgutil.walk_packages(importlib.import_module(package).__path__,\n"
         "                                        package + '.'):\n"
         "        importlib.import_module(module.name)\n"
         "print(importlib.util.find_spec('pytest') is None)\n"],
        cwd=copy, capture_output=True, text=True, check=False)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "True"  # the dev tools are not in the image
    cli = subprocess.run([str(copy / ".venv" / "bin" / "cashback"), "--help"], cwd=copy,
                         capture_output=True, text=True, check=True)
    assert "doctor" in cli.stdout
