"""Team memberships and join modes move to orgs (the one person ↔ organization table).

Each TeamMembership row becomes an orgs.Membership with the member role, keeping its status, who
decided, and both times. A person who already held the member role there (entered in the orgs
admin) keeps that one row, which takes the team membership's status, decider and times. Each
TeamSettings row becomes the organization's join mode. Going back rebuilds both tables from the
member rows of volunteer teams.
"""

from django.db import migrations

MEMBER = "member"


def forwards(apps, schema_editor):
    TeamMembership = apps.get_model("volunteering", "TeamMembership")
    TeamSettings = apps.get_model("volunteering", "TeamSettings")
    Membership = apps.get_model("orgs", "Membership")
    Organization = apps.get_model("orgs", "Organization")

    for row in TeamSettings.objects.all().iterator():
        Organization.objects.filter(pk=row.team_id).update(join_mode=row.join_mode)

    existing = {
        (m["user_id"], m["organization_id"]): m["pk"]
        for m in Membership.objects.filter(role=MEMBER).values("pk", "user_id", "organization_id")
    }
    new_rows = []
    for row in TeamMembership.objects.all().order_by("pk").iterator():
        fields = {"status": row.status, "decided_by_id": row.decided_by_id, "created_at": row.created_at,
                  "updated_at": row.updated_at}
        pk = existing.get((row.user_id, row.team_id))
        if pk is not None:
            Membership.objects.filter(pk=pk).update(**fields)
        else:
            new_rows.append(Membership(user_id=row.user_id, organization_id=row.team_id, role=MEMBER, **fields))
    # The team membership's updated_at is kept: auto_now is switched off on this migration's own
    # copy of the model (inserts would stamp the migration's time otherwise).
    Membership._meta.get_field("updated_at").auto_now = False
    Membership.objects.bulk_create(new_rows, batch_size=1000)


def backwards(apps, schema_editor):
    TeamMembership = apps.get_model("volunteering", "TeamMembership")
    TeamSettings = apps.get_model("volunteering", "TeamSettings")
    Membership = apps.get_model("orgs", "Membership")
    Organization = apps.get_model("orgs", "Organization")

    teams = Organization.objects.filter(kind="volunteer_team")
    TeamSettings.objects.bulk_create(
        [TeamSettings(team_id=pk, join_mode=mode) for pk, mode in teams.exclude(join_mode="open")
         .values_list("pk", "join_mode")]
    )
    TeamMembership._meta.get_field("created_at").auto_now_add = False
    TeamMembership._meta.get_field("updated_at").auto_now = False
    rows = Membership.objects.filter(role=MEMBER, organization__in=teams)
    TeamMembership.objects.bulk_create(
        [TeamMembership(team_id=m.organization_id, user_id=m.user_id,
                        status="left" if m.status == "removed" else m.status, decided_by_id=m.decided_by_id,
                        created_at=m.created_at, updated_at=m.updated_at) for m in rows.iterator()],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("volunteering", "0004_labels"),
        ("orgs", "0003_membership_states"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="TeamMembership"),
        migrations.DeleteModel(name="TeamSettings"),
    ]
