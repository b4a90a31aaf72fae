"""The generic fake: answers, faults, and its HTTP fault switch for fakes running in another process."""

import httpx
import pytest

from steadfast.fakes.server import FakeServer


def client(fake, read=0.5):
    return httpx.Client(base_url=fake.url, timeout=httpx.Timeout(read, connect=1), trust_env=False)


def test_answers_ping_on_loopback(fake_server):
    assert fake_server.url.startswith("http://127.0.0.1:")
    with client(fake_server) as http:
        assert http.get("/ping").json() == {"ok": True}
        assert http.get("/nope").status_code == 404
    assert fake_server.requests == 2
    assert [r.path for r in fake_server.log] == ["/ping", "/nope"]


@pytest.mark.parametrize(
    "mode, options, check",
    [
        ("status", {"status": 503}, lambda r: r.status_code == 503),
        ("status", {"status": 429}, lambda r: r.status_code == 429),
        ("status", {"status": 401}, lambda r: r.status_code == 401),
        ("malformed", {}, lambda r: r.status_code == 200 and r.text.startswith("<html>")),
        ("slow", {"ms": 100}, lambda r: r.json() == {"ok": True}),
    ],
)
def test_answering_faults(fake_server, mode, options, check):
    fake_server.set_fault(mode, **options)
    with client(fake_server) as http:
        assert check(http.get("/ping"))


def test_hang_and_reset_give_no_answer(fake_server):
    with client(fake_server, read=0.3) as http:
        fake_server.set_fault("hang")
        with pytest.raises(httpx.ReadTimeout):
            http.get("/ping")
        fake_server.set_fault("reset")
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            http.get("/ping")
    assert fake_server.requests == 2


def test_fault_for_the_next_n_requests_only(fake_server):
    fake_server.set_fault("status", status=500, times=2)
    with client(fake_server) as http:
        assert [http.get("/ping").status_code for _ in range(3)] == [500, 500, 200]


def test_fault_switch_over_http():
    fake = FakeServer().start()
    try:
        with client(fake) as http:
            assert http.post("/__fault__", json={"mode": "status", "status": 503}).status_code == 200
            assert http.get("/ping").status_code == 503
            state = http.get("/__fault__").json()
            assert state["fault"]["mode"] == "status" and state["requests"] == 1
            bad = http.post("/__fault__", json={"mode": "explode"})
            assert bad.status_code == 400 and "unknown mode" in bad.json()["error"]
            assert http.get("/ping").status_code == 503  # a bad switch changes nothing
            http.post("/__fault__", json={"mode": "ok"})
            assert http.get("/ping").status_code == 200
    finally:
        fake.stop()


def test_refuses_to_listen_beyond_loopback():
    with pytest.raises(ValueError, match="loopback"):
        FakeServer(host="0.0.0.0")


def test_fakes_command_switches_a_running_stripe_fake():
    from django.core.management import call_command

    from steadfast.fakes.stripe import FakeStripe

    fake = FakeStripe().start()
    try:
        call_command("fakes", "fault", "stripe", "status", "--status", "429", "--port", str(fake.port))
        assert fake.fault.mode == "status" and fake.fault.status == 429
        call_command("fakes", "fault", "stripe", "reset_after", "--times", "1", "--port", str(fake.port))
        assert fake._stripe_fault.mode == "reset_after" and fake.fault.mode == "ok"
    finally:
        fake.stop()
