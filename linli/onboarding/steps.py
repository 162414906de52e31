"""The “6个1工作法” of the city women's federation for a newly founded organization: six steps,
each ticked by a guide (妇建工作指导员) with a photo as evidence (a checklist on the scoring engine)."""

from django.utils.translation import gettext_lazy as _

OWNER = "onboarding.six_ones"
TEMPLATE_NAME = "“6个1工作法”"
SIX_ONES = [
    ("召开一场工作推进会", _("A meeting to get the work going, with the new organization's officers")),
    ("开展一次调研摸底", _("A survey of the women the organization reaches and what they need")),
    ("编印一本政策汇编", _("A booklet of the policies the organization works under")),
    ("制作一套资料模板", _("A set of templates for minutes, records and reports")),
    ("进行一次业务指导", _("One visit of guidance on the federation's work")),
    ("赠送一份大礼包", _("The welcome package for the women of the new organization")),
]
