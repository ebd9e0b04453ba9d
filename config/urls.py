from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from asphub.core.views import favicon, health, set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", health, name="health"),
    path("favicon.ico", favicon),
]

urlpatterns += i18n_patterns(
    path("", include("asphub.pages.urls")),
    path("schools/", include("asphub.schools.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
