"""The watcher's own SMS gateway and SMTP server, over real HTTP/SMTP to the fakes: delivered once, kept and
retried while refused. (The fakes live in steadfast/fakes but import no Django; neither does the watcher.)"""

import json
import sys

import httpx

from steadfast.fakes.messaging import FakeSmsRu, FakeTwilio
from steadfast.fakes.smtp import FakeSMTP
from watch.alerts import Alerts
from watch.config import load


def config_for(tmp_path, **env):
    return load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                       "WATCH_TIMEOUT_SECONDS": "5", **env})


def test_sms_ru_and_smtp_get_each_alert_once_and_a_refused_one_is_retried(tmp_path):
    sms, smtp = FakeSmsRu().start(), FakeSMTP().start()
    try:
        config = config_for(tmp_path, WATCH_SMS_GATEWAY="smsru", WATCH_SMS_API=sms.url, WATCH_SMS_LOGIN=sms.api_id,
                            WATCH_SMS_TO="+48 600 100 200", WATCH_SMTP_HOST="127.0.0.1",
                            WATCH_SMTP_PORT=str(smtp.port), WATCH_SMTP_STARTTLS="false",
                            WATCH_SMTP_FROM="watch@help.example", WATCH_EMAIL_TO="owner@example.com")
        with httpx.Client(timeout=5, trust_env=False) as client:
            alerts = Alerts(config, client)
            sms.set_fault("status", status=503)
            smtp.set_fault("tempfail")
            alerts.send("down", "🔴 Shop DOWN: http://shop")
            assert sms.messages == [] and smtp.messages == [] and len(alerts.pending) == 2
            sms.set_fault("ok")
            smtp.set_fault("ok")
            alerts.flush()
            alerts.flush()
        assert [(m["to"], m["text"]) for m in sms.messages] == [("48600100200", "🔴 Shop DOWN: http://shop")]
        assert [(m["to"], m["subject"]) for m in smtp.messages] == [("owner@example.com", "🔴 Shop DOWN: http://shop")]
        ledger = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert sorted((r["channel"], r["outcome"]) for r in ledger) == [
            ("email", "failed"), ("email", "sent"), ("sms", "failed"), ("sms", "sent")]
        assert "600" not in (tmp_path / "alerts.jsonl").read_text()  # no phone numbers in the ledger
    finally:
        sms.stop()
        smtp.stop()


def test_an_address_the_mail_server_refuses_for_good_is_not_retried(tmp_path):
    smtp = FakeSMTP().start()
    try:
        smtp.rejected.add("gone@example.com")  # 550: no such user
        config = config_for(tmp_path, WATCH_SMTP_HOST="127.0.0.1", WATCH_SMTP_PORT=str(smtp.port),
                            WATCH_SMTP_STARTTLS="false", WATCH_SMTP_FROM="watch@help.example",
                            WATCH_EMAIL_TO="gone@example.com,owner@example.com")
        with httpx.Client(timeout=5, trust_env=False) as client:
            alerts = Alerts(config, client)
            alerts.send("down", "🔴 Shop DOWN: http://shop")
            alerts.flush()
        assert [m["to"] for m in smtp.messages] == ["owner@example.com"] and alerts.pending == []
        ledger = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert sorted(r["outcome"] for r in ledger) == ["refused", "sent"]
    finally:
        smtp.stop()


def test_twilio_with_basic_auth(tmp_path):
    twilio = FakeTwilio().start()
    try:
        config = config_for(tmp_path, WATCH_SMS_GATEWAY="twilio", WATCH_SMS_API=twilio.url,
                            WATCH_SMS_LOGIN=twilio.account_sid, WATCH_SMS_SECRET="wrong", WATCH_SMS_FROM="+15550001",
                            WATCH_SMS_TO="+48600100200")
        with httpx.Client(timeout=5, trust_env=False) as client:
            alerts = Alerts(config, client)
            alerts.send("down", "Shop DOWN")
            assert twilio.messages == [] and len(alerts.pending) == 1  # 401: kept
            alerts.config = config_for(tmp_path, WATCH_SMS_GATEWAY="twilio", WATCH_SMS_API=twilio.url,
                                       WATCH_SMS_LOGIN=twilio.account_sid, WATCH_SMS_SECRET=twilio.auth_token,
                                       WATCH_SMS_FROM="+15550001", WATCH_SMS_TO="+48600100200")
            alerts.flush()
        assert [(m["to"], m["text"]) for m in twilio.messages] == [("+48600100200", "Shop DOWN")]
    finally:
        twilio.stop()


def test_the_watcher_imports_no_django():
    assert "watch.alerts" in sys.modules
    import subprocess

    code = "import sys, watch.__main__, watch.runner, watch.web, watch.channels; print('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2])).stdout.strip() == "False"
