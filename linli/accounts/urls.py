from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
