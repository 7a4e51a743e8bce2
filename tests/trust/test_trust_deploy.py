"""Production settings pass Django's deployment checks with no warning at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_deploy_check_passes_with_production_environment(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE", "DJANGO_", "REDIS"))
    }
    env.update(
        LEADPOOL_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        ALLOWED_HOSTS="crm.example.vn",
        CSRF_TRUSTED_ORIGINS="https://crm.example.vn",
        LEADPOOL_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "leadpool.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update(LEADPOOL_PRODUCTION="1", LEADPOOL_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "leadpool.cli", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
