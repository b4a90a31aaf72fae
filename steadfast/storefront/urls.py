from django.urls import path

from steadfast.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product, name="product"),
]
