from django.http import HttpResponse
from django.urls import path

app_name = "orders"
urlpatterns = [path("<str:token>/", lambda request, token: HttpResponse("order"), name="detail")]
