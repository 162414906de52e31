from django.urls import path

from linli.core.certificate_views import check_certificate

from . import team_views, views

app_name = "volunteering"

urlpatterns = [
    path("", views.activity_list, name="index"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/signup/", views.signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("register/", views.register, name="register"),
    path("profile/", views.profile, name="profile"),
    path("mine/", views.my_signups, name="mine"),
    path("hours/", views.my_hours, name="hours"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create_activity, name="create"),
    path("manage/<int:pk>/", views.roster, name="roster"),
    path("manage/<int:pk>/verify/", views.verify, name="verify"),
    path("manage/<int:pk>/edit/", views.edit_activity, name="edit"),
    path("manage/<int:pk>/cancel/", views.cancel_activity, name="cancel_activity"),
    path("manage/signups/<int:pk>/mark/", views.mark_present, name="mark"),
    path("manage/venues/<int:pk>/qr/", views.show_qr, name="qr"),
    path("manage/venues/<int:pk>/qr/code/", views.qr_code, name="qr_code"),
    path("volunteers/<str:number>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("certificates/", views.my_certificates, name="certificates"),
    # The check page's first address, printed on certificates issued before core.certificates.
    path("certificates/verify/<str:token>/", check_certificate, name="verify_certificate"),
    path("certificates/<str:number>/revoke/", views.revoke_certificate, name="revoke_certificate"),
    path("certificates/<str:number>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("manage/volunteers/<str:number>/certificate/", views.issue_certificate, name="issue_certificate"),
    path("teams/", team_views.team_list, name="teams"),
    path("teams/<int:pk>/join/", team_views.join_team, name="join_team"),
    path("teams/<int:pk>/accept/", team_views.accept_invitation, name="accept_invitation"),
    path("teams/<int:pk>/decline/", team_views.decline_invitation, name="decline_invitation"),
    path("teams/<int:pk>/leave/", team_views.leave_team, name="leave_team"),
    path("manage/teams/", team_views.my_teams, name="my_teams"),
    path("manage/teams/<int:pk>/", team_views.manage_team, name="manage_team"),
    path("manage/teams/<int:pk>/join-mode/", team_views.set_join_mode, name="set_join_mode"),
    path("manage/teams/<int:pk>/invite/", team_views.invite, name="invite"),
    path("manage/teams/<int:pk>/memberships/<int:membership_pk>/decide/", team_views.decide, name="decide_membership"),
    path("manage/teams/<int:pk>/memberships/<int:membership_pk>/remove/", team_views.remove_member,
         name="remove_member"),
]
