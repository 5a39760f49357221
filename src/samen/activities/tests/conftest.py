import pytest

from samen.core.tests.servers import FakeServer


@pytest.fixture
def fake_server(settings):
    """The local server; 127.0.0.1 is an allowed host for these tests only."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    server = FakeServer()
    yield server
    server.close()
