from django.urls import path

from conversations import views

urlpatterns = [
    path("chatwoot/", views.chatwoot_webhook, name="chatwoot-webhook"),
    path("chatwoot/<str:token>/", views.chatwoot_webhook, name="chatwoot-webhook-token"),
]
