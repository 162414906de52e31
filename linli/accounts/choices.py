from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    MOBILE_GRID_WORKER = "mobile_grid_worker", _("Mobile grid worker")
    GRID_LEADER = "grid_leader", _("Grid leader")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    COMMAND_CENTER = "command_center", _("Command center")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    ORG_ADMIN = "org_admin", _("Organization admin")
    VOLUNTEER_TEAM_LEADER = "volunteer_team_leader", _("Volunteer team leader")
    JUDGE = "judge", _("Judge")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class StaffTier(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy")
    MEMBER = "member", _("Committee member")


# Roles bound to a place, and roles bound to an organization.
AREA_ROLES = frozenset(
    {
        Role.RESIDENT,
        Role.GRID_WORKER,
        Role.MOBILE_GRID_WORKER,
        Role.GRID_LEADER,
        Role.COMMUNITY_STAFF,
        Role.COMMAND_CENTER,
        Role.SYSTEM_ADMIN,
    }
)
ORG_ROLES = frozenset({Role.DEPARTMENT_HANDLER, Role.ORG_ADMIN, Role.VOLUNTEER_TEAM_LEADER, Role.JUDGE})

# Which home page a role lands on (first match wins, in this order).
STAFF_ROLES = frozenset(
    {Role.COMMUNITY_STAFF, Role.COMMAND_CENTER, Role.DEPARTMENT_HANDLER, Role.ORG_ADMIN, Role.SYSTEM_ADMIN, Role.JUDGE,
     Role.VOLUNTEER_TEAM_LEADER}
)
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.MOBILE_GRID_WORKER, Role.GRID_LEADER})
