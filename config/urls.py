from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from asphub.core.views import favicon, health, set_language
from asphub.pages.sitemaps import SITEMAPS
from asphub.roles.views import admin_view_on_site
from asphub.workspace.urls import account_urls, audit_urls, dashboard_urls

# The administration site signs people in through the platform's own sign-in (with its lockout
# and two-factor step), never through a second, weaker form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", health, name="health"),
    path("favicon.ico", favicon),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("asphub.pages.urls")),
    path("schools/", include("asphub.schools.urls")),
    path("", include("asphub.membership.urls")),
    path("", include("asphub.practices.urls")),
    path("", include("asphub.activities.urls")),
    path("", include("asphub.events.urls")),
    path("", include("asphub.calendar.urls")),
    path("", include("asphub.partners.urls")),
    path("accounts/", include(account_urls)),
    path("accounts/", include("allauth.urls")),
    path("", include("asphub.roles.urls")),
    path("dashboard/", include(dashboard_urls)),
    path("audit/", include(audit_urls)),
    path("", include(("asphub.membership.certificate_urls", "certificates"))),
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin_view_on_site,
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.ASPHUB_SERVE_MEDIA:
    # Uploaded public pictures (logos, photos), served by Django in the local trial; in
    # production the web server in front serves MEDIA_ROOT under MEDIA_URL.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
