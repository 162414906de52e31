from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("shop/", views.shop, name="shop"),
    path("shop/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/new/", views.reward_edit, name="reward_new"),
    path("catalog/<int:pk>/", views.reward_edit, name="reward_edit"),
    path("fulfil/", views.fulfil, name="fulfil"),
    path("catalog/redemptions/", views.staff_redemptions, name="staff_redemptions"),
    path("catalog/adjust/", views.adjust, name="adjust"),
]
