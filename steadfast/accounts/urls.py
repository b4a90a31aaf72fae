from django.http import HttpResponse
from django.urls import path

app_name = "accounts"
urlpatterns = [
    path("login/", lambda request: HttpResponse("login"), name="login"),
    path("orders/", lambda request: HttpResponse("orders"), name="orders"),
]
