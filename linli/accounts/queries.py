"""Reads about people: where a person lives. No writes."""

from .choices import Role


def resident_community(user):
    """The community (or street) of the user's resident role, if any: where the person lives, the
    default of the forms that ask it (volunteer registration, the service order)."""
    if user is None or not user.is_authenticated:
        return None
    assignment = (
        user.role_assignments.filter(role=Role.RESIDENT, area__isnull=False).select_related("area")
        .order_by("id").first()
    )
    if assignment is None:
        return None
    area = assignment.area
    # A resident placed in a grid lives in the grid's community.
    return area.get_parent() if area.level == "grid" else area
