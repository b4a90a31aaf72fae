from django.urls import path

from steadfast.orders import views

app_name = "orders"
urlpatterns = [
    path("<str:token>/", views.detail, name="detail"),
    path("<str:token>/confirm/<str:signature>/", views.confirm, name="confirm"),
]
