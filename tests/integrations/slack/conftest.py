from tests.fakes.slack import fake_slack  # noqa: F401
