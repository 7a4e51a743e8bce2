"""Intake fixtures: one connected channel of each kind and a poster that lets on-commit work run."""

import json

import pytest
from django.test import Client

from leadpool.intake.models import ChannelConfig
from tests.factories import source


@pytest.fixture
def channels(world):
    """One connection per kind, each with its own token and secret."""
    make = ChannelConfig.objects.create
    return {
        "facebook": make(kind="facebook", name="Trang Lotus", source=world.facebook, project=world.lotus,
                         external_id="1001", secret="fb-app-secret", verify_token="verify-me",
                         access_token="PAGE-TOKEN"),
        "google": make(kind="google", name="Form Lotus", source=world.google, project=world.lotus,
                       external_id="555", secret="g-key-lotus"),
        "zalo": make(kind="zalo", name="OA Lotus", source=source("zalo_ads"), project=world.lotus,
                     app_id="4321", secret="zalo-oa-secret"),
        "tiktok": make(kind="tiktok", name="TikTok Lotus", source=source("tiktok_ads"), project=world.lotus,
                       secret="tt-secret"),
        "ladipage": make(kind="ladipage", name="Landing Lotus", source=source("ladipage"), project=world.lotus),
        "generic": make(kind="generic", name="Website", source=source("website"), project=world.songhan),
        "hotline": make(kind="hotline", name="Tổng đài", source=world.hotline, project=world.lotus),
    }


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """post(config, body, headers=..., content_type=...) → response, with on-commit enqueues executed."""
    client = Client()

    def _post(config, body, *, headers=None, content_type="application/json", path=None):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        url = path or f"/intake/hook/{config.kind}/{config.token}/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data=body, content_type=content_type, headers=headers or {})

    return _post
