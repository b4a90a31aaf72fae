from django.urls import path

from steadfast.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("activate/<uidb64>/<token>/", views.activate, name="activate"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("orders/", views.orders, name="orders"),
    path("find-order/", views.order_lookup, name="order_lookup"),
    path("verify/send/", views.verify_send, name="verify_send"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("password-reset/", views.PASSWORD_RESET["password_reset"], name="password_reset"),
    path("password-reset/sent/", views.PASSWORD_RESET["password_reset_done"], name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PASSWORD_RESET["password_reset_confirm"],
         name="password_reset_confirm"),
    path("password-reset/done/", views.PASSWORD_RESET["password_reset_complete"], name="password_reset_complete"),
]
