"""schemathesis against the OpenAPI document, in process (WSGI): no generated request may cause a server error."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as examples

from leadpool.accounts.models import ApiToken

EXAMPLES_PER_OPERATION = 10


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the real WSGI handler would close the test's connection at each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("who", ["manager", "sale1", "mkt"])
def test_no_generated_request_causes_a_server_error(world, make_customer, settings, who):
    settings.LEADPOOL_RATE_LIMITS = False
    for n in range(3):
        make_customer(f"091234567{n}")
    _, token = ApiToken.issue(user=getattr(world, who), name="schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    operations = _operations()
    assert len(operations) >= 3
    failures: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @examples(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.path} → {response.status_code}: {response.text[:200]}")

        check()
    assert failures == [], "\n".join(failures[:10])
