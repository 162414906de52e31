"""A checklist of checkboxes with evidence photos (the “6个1工作法”), filled by the guiding
federation; an owner's own organizer rule replaces the scope rule."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from linli.orgs.actions import do_create_organization
from linli.scoring import actions, owners
from linli.scoring.actions import ScoringError

SIX_ONES = ["一场推进会", "一次调研摸底", "一本政策汇编", "一套资料模板", "一次业务指导", "一份大礼包"]


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def checklist(tree, personas):
    template = actions.check_create_template(
        "6个1工作法", [{"name": name, "method": "checkbox", "weight": 1, "evidence_required": True}
                      for name in SIX_ONES], tier_kind="score", tiers=[{"name": "已完成", "min_score": 6}])
    new_federation = do_create_organization(parent=None, name="软件园妇联", kind="womens_federation",
                                            area=tree.street_a)
    scoring_round = actions.check_create_round(personas.org_admin, template, personas.federation, "新建妇联6个1",
                                               "orgs.onboarding:1")
    panel = actions.check_add_panel(personas.org_admin, scoring_round, "指导妇联", [(personas.org_admin, None)])
    subject = actions.check_add_subject(personas.org_admin, scoring_round, f"org:{new_federation.pk}",
                                        new_federation.name, new_federation, panel)
    actions.check_open(personas.org_admin, scoring_round)
    return scoring_round, subject, list(template.criteria.all())


def test_a_ticked_item_needs_its_evidence_photo(checklist, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scoring_round, subject, criteria = checklist
    guide = personas.org_admin
    actions.check_mark(guide, subject, {c.pk: True for c in criteria})
    with pytest.raises(ScoringError) as refused:
        actions.check_submit(guide, subject)
    assert refused.value.code == "evidence_required" and refused.value.field == f"criterion_{criteria[0].pk}"
    for criterion in criteria:
        evidence = actions.check_add_evidence(guide, subject, criterion, photo())
    assert evidence.image.read(3) == b"\xff\xd8\xff"  # stored re-encoded as JPEG
    with pytest.raises(ScoringError) as not_a_photo:
        actions.check_add_evidence(guide, subject, criteria[0], SimpleUploadedFile("x.jpg", b"not an image"))
    assert not_a_photo.value.code == "not_an_image"
    assert actions.check_submit(guide, subject).total == D(6)
    actions.check_finalise(guide, scoring_round)
    assert subject.result.tier == "已完成"


def test_an_unticked_item_is_scored_nothing_without_evidence(checklist, personas):
    _round, subject, criteria = checklist
    actions.check_mark(personas.org_admin, subject, {c.pk: False for c in criteria})
    assert actions.check_submit(personas.org_admin, subject).total == D(0)


def test_an_owner_rule_decides_who_organizes(checklist, personas):
    scoring_round, _subject, _criteria = checklist
    owners.register_owner("orgs.onboarding", can_organize=lambda user, r: user == personas.system_admin)
    try:
        with pytest.raises(Http404):
            actions.check_finalise(personas.org_admin, scoring_round)
        with pytest.raises(ScoringError):  # allowed now; refused only for the sheet still missing
            actions.check_finalise(personas.system_admin, scoring_round)
    finally:
        owners._ORGANIZE_RULES.pop("orgs.onboarding")
