from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("<slug:slug>/vrijwilligers/aanmelden/", views.register_mdt, name="register"),
    path("<slug:slug>/vrijwilligers/medewerker/", views.register_employee, name="employee"),
    path(
        "<slug:slug>/vrijwilligers/uitnodiging/<str:token>/",
        views.register_employee,
        name="invite",
    ),
    path("<slug:slug>/vrijwilligers/bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/vrijwilligers/mijn/<str:token>/", views.personal, name="personal"),
    path(
        "<slug:slug>/vrijwilligers/mijn/<str:token>/verwijderen/",
        views.personal_delete,
        name="personal-delete",
    ),
    path(
        "<slug:slug>/vrijwilligers/ouder/<str:token>/", views.parent_confirm, name="parent-confirm"
    ),
    path("<slug:slug>/beheer/vrijwilligerswerk/", views.needs, name="needs"),
    path("<slug:slug>/beheer/vrijwilligerswerk/hulpvragen/nieuw/", views.need_new, name="need-new"),
    path(
        "<slug:slug>/beheer/vrijwilligerswerk/hulpvragen/<slug:ref>/",
        views.need_detail,
        name="need",
    ),
    path("<slug:slug>/beheer/vrijwilligerswerk/koppelen/", views.matching_view, name="matching"),
    path("<slug:slug>/beheer/vrijwilligerswerk/mijn/", views.mine, name="mine"),
    path(
        "<slug:slug>/beheer/vrijwilligerswerk/mijn/verwijderen/",
        views.mine_delete,
        name="mine-delete",
    ),
    path("<slug:slug>/beheer/vrijwilligerswerk/programma/", views.programme, name="programme"),
]
