"""The certificate engine on its own: numbering per kind and year, the public check page (genuine,
revoked, not found: nothing more), revoking once with a reason, and the plain PDF in CJK."""

import io
import re

import pytest
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from linli.core import certificate_pdf, certificates
from linli.core.models import Certificate, OutboxMessage
from linli.core.testing import make_person


@pytest.fixture
def kind():
    managers = set()
    registered = certificates.register_kind("test.completion", prefix="TSJY", title="结业证书",
                                            can_manage=lambda actor, certificate: actor.pk in managers)
    yield registered, managers
    certificates._KINDS.pop("test.completion", None)


def issue(issuer, holder, name="王小红"):
    return certificates.do_issue(Certificate(), kind="test.completion", issued_by=issuer, holder=holder,
                                 holder_name=name, issuer_name="开元街道社区学苑")


def test_numbers_run_per_prefix_and_year_and_a_prefix_is_one_kinds(kind, db, clock):
    issuer, holder = make_person("13900000101", "组织者"), make_person("13900000102", "王小红")
    year = timezone.localdate().year
    first, second = issue(issuer, holder), issue(issuer, holder)
    assert (first.number, second.number) == (f"TSJY-{year}-000001", f"TSJY-{year}-000002")
    assert first.token != second.token and len(first.token) >= 40
    with pytest.raises(ValueError):
        certificates.register_kind("test.other", prefix="TSJY", title="x", can_manage=lambda *a: True)


def test_the_check_page_says_genuine_or_revoked_and_nothing_more(kind, db, client):
    _registered, managers = kind
    issuer, holder = make_person("13900000101", "组织者"), make_person("13900000102", "欧阳娜娜")
    certificate = issue(issuer, holder, name="欧阳娜娜")
    html = client.get(f"/certificates/check/{certificate.token}/").content.decode()
    assert 'data-testid="verify-genuine"' in html and "结业证书" in html and "欧**娜" in html
    assert "欧阳娜娜" not in html and "开元街道社区学苑" not in html
    for token in (certificate.token[:-3] + "zzz", "x" * 65, "%00"):
        missing = client.get(f"/certificates/check/{token}/")
        assert missing.status_code in (400, 404) and certificate.number not in missing.content.decode()

    with pytest.raises(Http404):  # not a manager of the kind
        certificates.check_revoke(holder, certificate, "材料不实")
    managers.add(issuer.pk)
    with pytest.raises(certificates.CertificateError) as no_reason:
        certificates.check_revoke(issuer, certificate, "  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(certificates.CertificateError) as long_reason:
        certificates.check_revoke(issuer, certificate, "长" * 201)
    assert long_reason.value.field == "reason"
    certificates.check_revoke(issuer, certificate, "学时登记有误")
    with pytest.raises(certificates.CertificateError) as twice:
        certificates.check_revoke(issuer, certificate, "学时登记有误")
    assert twice.value.code == "already_revoked"
    assert OutboxMessage.objects.filter(topic="certificates.revoked").count() == 1
    html = client.get(f"/certificates/check/{certificate.token}/").content.decode()
    assert 'data-testid="verify-revoked"' in html and 'data-testid="verify-genuine"' not in html
    assert "学时登记有误" not in html


def test_the_plain_pdf_prints_rows_statement_issuer_and_the_check_code(kind, db, rf):
    issuer, holder = make_person("13900000101", "组织者"), make_person("13900000102", "王小红")
    certificate = issue(issuer, holder)
    url = certificates.check_url(rf.get("/"), certificate)
    content = certificate_pdf.render_plain(certificate, url, [("姓名", "王小红"), ("学时", "108")],
                                           "王小红同志完成元动力社区学苑全部课程，准予结业。")
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    for expected in ("结业证书", certificate.number, "王小红", "108", "准予结业", "开元街道社区学苑"):
        assert expected in text, expected
