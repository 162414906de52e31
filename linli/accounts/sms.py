"""SMS: approved templates with parameters, through a pluggable backend.

send_sms(phone, template_key, params: dict) -> bool
    Sends one templated message; a gateway failure is logged, never raised (it runs after the
    request's data is committed). True when the backend took it.

Cloud providers (Aliyun, Tencent Cloud) send only templates approved in their console, with
parameters. So every text the platform may text is here, in TEMPLATES, under a key: the log
backend renders it; a cloud backend sends the provider's template code for the key, from
settings.SMS_TEMPLATES ({"login_code": "SMS_123456", ...}), and the parameters. The texts are
what an operator submits for approval (Aliyun writes a placeholder ${name}, Tencent {1}, {2}
in the order the placeholders appear here).

Backends (settings.SMS_BACKEND, a dotted path):
    LogSmsBackend      development: key, parameters and rendered text go to the "linli.sms" log
    MemorySmsBackend   tests: (phone, template_key, params) appended to MemorySmsBackend.outbox
    AliyunSmsBackend   dysmsapi SendSms (RPC, signature v1: HMAC-SHA1), standard library only
    TencentSmsBackend  sms SendSms 2021-01-11 (TC3-HMAC-SHA256), standard library only
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import string
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone

from django.conf import settings
from django.utils.module_loading import import_string

from .models import mask_phone

logger = logging.getLogger("linli.sms")

# Key → text; {name} is a parameter. Plain words for a resident, each under ~70 characters
# with the signature so it fits one message. Changing a text means approving it again.
TEMPLATES: dict[str, str] = {
    "login_code": "您的邻里登录验证码是{code}，{minutes}分钟内有效，请勿告诉他人。",
    # cases: the resident who reported
    "case_accepted": "您反映的问题（编号{number}）已受理，我们会尽快安排处理。",
    "case_rejected": "您反映的问题（编号{number}）未予受理，原因：{reason}。",
    "case_resolved": "您反映的问题（编号{number}）已处理完毕，工作人员将到现场核实。",
    "case_closed": "您反映的问题（编号{number}）已办结，欢迎登录邻里评价办理情况。",
    # cases: staff
    "case_work_order": "新工单{number}（{category}）已派至贵单位，请及时签收办理。",
    "case_supervised": "工单{number}已被督办，请尽快办理。",
    "case_overdue": "工单{number}已超期，请尽快办理。",
    # service orders: the resident who ordered
    "order_accepted": "您预约的{service}服务已有服务队接单，将按约定时间为您服务。",
    "order_completed": "您预约的{service}服务已完成，欢迎登录邻里评价。",
    # points shop: the resident who redeemed
    "redemption_ready": "您已兑换{reward}，取货码{code}，请凭取货码领取。",
    # volunteering: the volunteer
    "activity_promoted": "您已从候补转为正式报名：{title}，{when}在{venue}。",
    "activity_reminder": "提醒：{title}将于{when}在{venue}开始，请准时签到。",
    "activity_rescheduled": "{title}时间调整为{when}，您的报名保留。",
    "activity_cancelled": "{title}（{when}）已取消，原因：{reason}。",
    "hours_approved": "您在{title}的服务时长{hours}小时已确认，获得{points}积分。",
    "hours_rejected": "您在{title}的服务时长未通过审核，原因：{reason}。",
    "certificate_issued": "您的志愿服务证明（编号{number}）已出具，可登录邻里查看下载。",
    "service_hours_recorded": "您参加的{service}服务已记录{hours}小时，获得{points}积分。",
}

# Providers cap a parameter's length (Aliyun: 35 characters for most variables).
PARAM_MAX_CHARS = 35


class SmsError(Exception):
    """The provider refused or could not be reached."""


def placeholders(template_key: str) -> list[str]:
    """The parameter names of a template, in the order they appear (Tencent's {1}, {2}, ...)."""
    names = []
    for _literal, name, _spec, _conversion in string.Formatter().parse(TEMPLATES[template_key]):
        if name and name not in names:
            names.append(name)
    return names


def clean_params(template_key: str, params: dict | None) -> dict[str, str]:
    """Exactly the template's parameters, as short strings (a missing one is an error of ours)."""
    if template_key not in TEMPLATES:
        raise KeyError(f"unknown SMS template {template_key!r}")
    params = params or {}
    missing = [name for name in placeholders(template_key) if name not in params]
    if missing:
        raise KeyError(f"SMS template {template_key!r} needs {missing}")
    return {name: _short(params[name]) for name in placeholders(template_key)}


def _short(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= PARAM_MAX_CHARS else text[: PARAM_MAX_CHARS - 1] + "…"


def render(template_key: str, params: dict) -> str:
    return TEMPLATES[template_key].format(**clean_params(template_key, params))


class SmsBackend:
    """Interface: deliver the template `template_key` with `params` to the mainland mobile `phone`.

    Called after the database transaction commits; raise on failure (send_sms logs it)."""

    def send(self, phone: str, template_key: str, params: dict) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Development and demo: it stands in for the phone, so the one message it would send (a login
    code included) goes to the log, once, to a masked number. Nothing else may log a code."""

    def send(self, phone, template_key, params):
        logger.info("SMS to %s (%s): %s", mask_phone(phone), template_key, render(template_key, params))


class MemorySmsBackend(SmsBackend):
    """Tests: messages are appended to `MemorySmsBackend.outbox` as (phone, template_key, params)."""

    outbox: list[tuple[str, str, dict]] = []

    def send(self, phone, template_key, params):
        type(self).outbox.append((phone, template_key, clean_params(template_key, params)))


class CloudSmsBackend(SmsBackend):
    """What both providers share: the template code for a key, the credentials, one HTTPS call."""

    default_endpoint = ""

    def __init__(self):
        self.key_id = settings.SMS_ACCESS_KEY_ID
        self.key_secret = settings.SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.SMS_SIGN_NAME
        self.endpoint = settings.SMS_ENDPOINT or self.default_endpoint
        self.timeout = settings.SMS_TIMEOUT_SECONDS

    def template_code(self, template_key):
        code = settings.SMS_TEMPLATES.get(template_key)
        if not code:
            raise SmsError(f"no provider template code for {template_key!r} in SMS_TEMPLATES")
        return str(code)

    def post(self, data: bytes, headers: dict) -> dict:
        request = urllib.request.Request(self.endpoint, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (a setting)
                body = response.read()
        except urllib.error.HTTPError as error:
            body = error.read()  # both providers explain a refusal in the JSON body
        except (OSError, ValueError) as error:
            raise SmsError(f"{self.endpoint} unreachable: {error}") from error
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise SmsError(f"not JSON from {self.endpoint}: {body[:200]!r}") from error
        if not isinstance(answer, dict):
            raise SmsError(f"unexpected answer from {self.endpoint}: {body[:200]!r}")
        return answer


def percent_encode(value) -> str:
    """Aliyun's encoding: RFC 3986, UTF-8, space as %20, only A-Z a-z 0-9 - _ . ~ left as is."""
    return urllib.parse.quote(str(value), safe="-_.~")


def aliyun_signature(method: str, params: dict, secret: str) -> str:
    """Signature v1: HMAC-SHA1 (key: secret + "&") over METHOD&%2F&encode(sorted canonical query)."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsBackend(CloudSmsBackend):
    """Aliyun SMS (dysmsapi 2017-05-25 SendSms), RPC style, POST form, signature v1."""

    default_endpoint = "https://dysmsapi.aliyuncs.com/"

    def send(self, phone, template_key, params):
        params = clean_params(template_key, params)
        query = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": settings.SMS_REGION or "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code(template_key),
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query["Signature"] = aliyun_signature("POST", query, self.key_secret)
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in query.items()).encode()
        answer = self.post(body, {"Content-Type": "application/x-www-form-urlencoded"})
        if answer.get("Code") != "OK":
            raise SmsError(f"Aliyun {answer.get('Code')}: {answer.get('Message')} (request {answer.get('RequestId')})")


def tc3_signature(secret_key: str, date: str, string_to_sign: str, service: str = "sms") -> str:
    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = sign(sign(sign(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_string_to_sign(host: str, content_type: str, payload: bytes, timestamp: int, service: str = "sms") -> str:
    """TC3-HMAC-SHA256: the canonical request of a POST to "/" signing content-type and host."""
    canonical_request = "\n".join([
        "POST", "/", "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host",
        hashlib.sha256(payload).hexdigest(),
    ])
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    return "\n".join([
        "TC3-HMAC-SHA256", str(timestamp), f"{date}/{service}/tc3_request",
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])


class TencentSmsBackend(CloudSmsBackend):
    """Tencent Cloud SMS (SendSms 2021-01-11), JSON POST, signature v3 (TC3-HMAC-SHA256).

    SMS_ACCESS_KEY_ID / _SECRET are the SecretId / SecretKey; SMS_SDK_APP_ID the SmsSdkAppId."""

    default_endpoint = "https://sms.tencentcloudapi.com/"
    content_type = "application/json; charset=utf-8"

    def send(self, phone, template_key, params):
        params = clean_params(template_key, params)
        payload = json.dumps({
            "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
            "SmsSdkAppId": settings.SMS_SDK_APP_ID,
            "SignName": self.sign_name,
            "TemplateId": self.template_code(template_key),
            "TemplateParamSet": [params[name] for name in placeholders(template_key)],
        }, ensure_ascii=False).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        timestamp = int(datetime.now(timezone.utc).timestamp())
        to_sign = tc3_string_to_sign(host, self.content_type, payload, timestamp)
        date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
        authorization = (
            f"TC3-HMAC-SHA256 Credential={self.key_id}/{date}/sms/tc3_request, SignedHeaders=content-type;host, "
            f"Signature={tc3_signature(self.key_secret, date, to_sign)}"
        )
        answer = self.post(payload, {
            "Authorization": authorization, "Content-Type": self.content_type, "Host": host,
            "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": settings.SMS_REGION or "ap-guangzhou",
        }).get("Response") or {}
        if "Error" in answer:
            error = answer["Error"]
            raise SmsError(f"Tencent {error.get('Code')}: {error.get('Message')} (request {answer.get('RequestId')})")
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError(f"Tencent {statuses[0].get('Code')}: {statuses[0].get('Message')}")


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone, template_key, params=None) -> bool:
    try:
        get_sms_backend().send(phone, template_key, params or {})
    except Exception:
        # Runs after commit: a failed gateway must not turn into a 500 for a
        # request whose data is already saved. The resident can ask again.
        logger.exception("SMS %s to %s failed", template_key, mask_phone(phone))
        return False
    return True
