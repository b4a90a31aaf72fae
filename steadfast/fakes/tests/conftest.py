from steadfast.fakes.testing import fake_server  # noqa: F401  (fixture)
