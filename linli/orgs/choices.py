from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganizationKind(models.TextChoices):
    PARTY = "party", _("Party organization")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    CIV_CENTER = "civ_center", _("Civilization practice center")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORG = "social_org", _("Social organization")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    BUSINESS_DISTRICT = "business_district", _("Business district")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    WOMEN_HOME = "women_home", _("Women's home")
    WOMEN_MICRO_HOME = "women_micro_home", _("Women's micro home")
    # 妇建工作指导员小队: the instructors a street's federation sends to new organizations.
    INSTRUCTOR_SQUAD = "instructor_squad", _("Instructor squad")


class NewSector(models.TextChoices):
    NEW_ECONOMIC_ORG = "new_economic_org", _("New economic organization")
    NEW_SOCIAL_ORG = "new_social_org", _("New social organization")
    NEW_BUSINESS_FORM = "new_business_form", _("New business form")


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    EXECUTIVE = "executive", _("Executive")
    MEMBER = "member", _("Member")
    INSTRUCTOR = "instructor", _("Instructor")
    LIAISON = "liaison", _("Liaison")


class MembershipStatus(models.TextChoices):
    """Where a person stands with an organization. Only `active` rows count as belonging; the others
    keep the history (who applied, who was invited, who left or was removed, and who decided)."""

    APPLIED = "applied", _("Applied")
    INVITED = "invited", _("Invited")
    ACTIVE = "active", pgettext_lazy("volunteer team", "Member")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


class JoinMode(models.TextChoices):
    OPEN = "open", _("Open to all")
    APPROVAL = "approval", _("By application and approval")
    INVITATION = "invitation", _("By invitation only")


class PairingKind(models.TextChoices):
    AREA_LINK = "area_link", _("Area link (包片联村)")
    CO_BUILDING = "co_building", _("Co-building (结对共建)")


# What a civilization-practice body is called at each level of the place tree.
CIV_CENTER_TITLES = {
    "district": _("Practice center"),
    "street": _("Practice institute"),
    "community": _("Practice station"),
}
