"""The cloud SMS backends against local fakes of each provider's HTTP API. Each fake checks the
signature the way the provider documents it (written out here again, not imported), and the
parameters, and answers the provider's success or failure JSON."""

import base64
import hashlib
import hmac
import json
import logging
import threading
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from linli.accounts.sms import TEMPLATES, AliyunSmsBackend, SmsError, TencentSmsBackend, placeholders, send_sms

KEY_ID, SECRET = "LTAI-test-id", "test-secret/+="
PHONE = "13800000001"


class Fake:
    """A provider on 127.0.0.1: records what it received and whether the signature held."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {key.lower(): value for key, value in self.headers.items()}  # HTTP names: any case
                fake.requests.append((headers, body))
                status, payload = fake.answer(headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    fakes = []

    def start(answer, backend):
        fake = Fake(answer)
        fakes.append(fake)
        settings.SMS_BACKEND = f"linli.accounts.sms.{backend}"
        settings.SMS_ENDPOINT = fake.url
        settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = KEY_ID, SECRET
        settings.SMS_SIGN_NAME = "邻里"
        settings.SMS_SDK_APP_ID = "1400000001"
        settings.SMS_TEMPLATES = {"case_rejected": "SMS_71390007", "login_code": "SMS_1"}
        return fake

    yield start
    for fake in fakes:
        fake.close()


# -- Aliyun: RPC, signature v1 -------------------------------------------------------------------


def aliyun_encode(value):
    return urllib.parse.quote(value, safe="~").replace("+", "%20").replace("*", "%2A")


def aliyun_check(params):
    """Aliyun's documented procedure: sorted, percent-encoded query; POST&%2F&...; HMAC-SHA1(secret&)."""
    signature = params.pop("Signature")
    query = "&".join(f"{aliyun_encode(k)}={aliyun_encode(params[k])}" for k in sorted(params))
    to_sign = "POST&%2F&" + aliyun_encode(query)
    expected = base64.b64encode(hmac.new((SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(signature, expected)


def aliyun_ok(headers, body):
    params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
    if not aliyun_check(params):
        return 400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature", "RequestId": "r1"}
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r2"}


def test_aliyun_sends_a_signed_template_with_its_parameters(provider):
    fake = provider(aliyun_ok, "AliyunSmsBackend")
    AliyunSmsBackend().send(PHONE, "case_rejected", {"number": "2026-000123", "reason": "重复上报 & 已合并"})
    (headers, body), = fake.requests
    params = dict(urllib.parse.parse_qsl(body.decode()))
    assert aliyun_check(dict(params))
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert {k: params[k] for k in ("Action", "Version", "Format", "SignatureMethod", "SignatureVersion",
                                   "PhoneNumbers", "SignName", "TemplateCode", "AccessKeyId", "RegionId")} == {
        "Action": "SendSms", "Version": "2017-05-25", "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0", "PhoneNumbers": PHONE, "SignName": "邻里", "TemplateCode": "SMS_71390007",
        "AccessKeyId": KEY_ID, "RegionId": "cn-hangzhou"}
    assert json.loads(params["TemplateParam"]) == {"number": "2026-000123", "reason": "重复上报 & 已合并"}
    assert datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert params["SignatureNonce"]


def test_aliyun_refusal_is_an_error_logged_not_raised(provider, caplog):
    fake = provider(lambda h, b: (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控",
                                         "RequestId": "r3"}), "AliyunSmsBackend")
    with pytest.raises(SmsError, match="isv.BUSINESS_LIMIT_CONTROL"):
        AliyunSmsBackend().send(PHONE, "login_code", {"code": "123456", "minutes": 5})
    with caplog.at_level(logging.ERROR, logger="linli.sms"):
        assert send_sms(PHONE, "login_code", {"code": "123456", "minutes": 5}) is False
    assert "isv.BUSINESS_LIMIT_CONTROL" in caplog.text and "138****0001" in caplog.text
    assert len(fake.requests) == 2


def test_a_wrong_secret_fails_the_fake(provider, settings):
    provider(aliyun_ok, "AliyunSmsBackend")
    settings.SMS_ACCESS_KEY_SECRET = "another"
    with pytest.raises(SmsError, match="SignatureDoesNotMatch"):
        AliyunSmsBackend().send(PHONE, "login_code", {"code": "1", "minutes": 5})


def test_a_key_without_a_provider_code_is_not_sent(provider):
    fake = provider(aliyun_ok, "AliyunSmsBackend")
    assert send_sms(PHONE, "case_closed", {"number": "2026-000001"}) is False
    assert fake.requests == []


def test_an_unreachable_provider_does_not_raise(settings, caplog):
    settings.SMS_BACKEND = "linli.accounts.sms.TencentSmsBackend"
    settings.SMS_ENDPOINT = "http://127.0.0.1:1/"
    settings.SMS_TEMPLATES = {"login_code": "1"}
    settings.SMS_TIMEOUT_SECONDS = 2
    with caplog.at_level(logging.ERROR, logger="linli.sms"):
        assert send_sms(PHONE, "login_code", {"code": "1", "minutes": 5}) is False
    assert "unreachable" in caplog.text


# -- Tencent Cloud: TC3-HMAC-SHA256 ---------------------------------------------------------------


def tc3_check(headers, body):
    """Tencent's documented v3 signature, recomputed from what arrived."""
    authorization = headers["authorization"]
    algorithm, rest = authorization.split(" ", 1)
    parts = dict(part.strip().split("=", 1) for part in rest.split(","))
    key_id, date, service, terminator = parts["Credential"].split("/")
    timestamp = headers["x-tc-timestamp"]
    assert algorithm == "TC3-HMAC-SHA256" and key_id == KEY_ID and service == "sms" and terminator == "tc3_request"
    assert date == datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d")
    assert parts["SignedHeaders"] == "content-type;host"
    canonical = (f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
                 f"content-type;host\n{hashlib.sha256(body).hexdigest()}")
    to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n"
               f"{hashlib.sha256(canonical.encode()).hexdigest()}")
    key = ("TC3" + SECRET).encode()
    for part in (date, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(parts["Signature"], hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest())


def tencent_ok(headers, body):
    if not tc3_check(headers, body):
        return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"},
                                  "RequestId": "t1"}}
    request = json.loads(body)
    return 200, {"Response": {"SendStatusSet": [{
        "SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": request["PhoneNumberSet"][0], "Fee": 1,
        "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "t2"}}


def test_tencent_sends_a_signed_template_with_its_parameters_in_order(provider):
    fake = provider(tencent_ok, "TencentSmsBackend")
    TencentSmsBackend().send(PHONE, "case_rejected", {"reason": "重复上报", "number": "2026-000123"})
    (headers, body), = fake.requests
    assert tc3_check(headers, body)
    assert (headers["x-tc-action"], headers["x-tc-version"], headers["x-tc-region"]) == (
        "SendSms", "2021-01-11", "ap-guangzhou")
    assert json.loads(body) == {
        "PhoneNumberSet": ["+8613800000001"], "SmsSdkAppId": "1400000001", "SignName": "邻里",
        "TemplateId": "SMS_71390007",
        "TemplateParamSet": ["2026-000123", "重复上报"],  # {1}, {2}: the order of the template's placeholders
    }
    assert placeholders("case_rejected") == ["number", "reason"]


@pytest.mark.parametrize("answer, code", [
    ({"Response": {"Error": {"Code": "AuthFailure.SecretIdNotFound", "Message": "no"}, "RequestId": "t3"}},
     "AuthFailure.SecretIdNotFound"),
    ({"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "daily limit",
                                      "PhoneNumber": "+8613800000001"}], "RequestId": "t4"}},
     "LimitExceeded.PhoneNumberDailyLimit"),
])
def test_tencent_refusals_are_logged_not_raised(provider, caplog, answer, code):
    provider(lambda h, b: (200, answer), "TencentSmsBackend")
    with pytest.raises(SmsError, match=code):
        TencentSmsBackend().send(PHONE, "login_code", {"code": "1", "minutes": 5})
    with caplog.at_level(logging.ERROR, logger="linli.sms"):
        assert send_sms(PHONE, "login_code", {"code": "1", "minutes": 5}) is False
    assert code in caplog.text


def test_a_provider_answering_html_is_an_error(provider):
    provider(lambda h, b: (502, "<html>bad gateway</html>"), "TencentSmsBackend")
    assert send_sms(PHONE, "login_code", {"code": "1", "minutes": 5}) is False


def test_every_template_renders_and_stays_short():
    from linli.accounts.sms import render

    for key in TEMPLATES:
        text = render(key, {name: "x" * 35 for name in placeholders(key)})
        assert "{" not in text
    assert len(render("login_code", {"code": "123456", "minutes": 5})) < 60


def test_tencent_with_a_wrong_secret_fails_the_fake(provider, settings):
    provider(tencent_ok, "TencentSmsBackend")
    settings.SMS_ACCESS_KEY_SECRET = "another"
    with pytest.raises(SmsError, match="AuthFailure.SignatureFailure"):
        TencentSmsBackend().send(PHONE, "login_code", {"code": "1", "minutes": 5})
