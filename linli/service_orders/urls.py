from django.urls import path

from . import views

app_name = "service_orders"

urlpatterns = [
    path("", views.menu, name="menu"),
    path("mine/", views.my_orders, name="mine"),
    path("dispatch/", views.dispatch_queue, name="dispatch"),
    path("team/", views.team_orders, name="team"),
    path("menu/manage/", views.offerings, name="offerings"),
    path("menu/area/", views.area_menu, name="area_menu"),
    path("menu/manage/new/", views.offering_form, name="offering_new"),
    path("menu/manage/<int:pk>/", views.offering_form, name="offering_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"thumbnail": True}, name="photo_thumb"),
]
