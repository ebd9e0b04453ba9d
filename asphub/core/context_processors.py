from django.conf import settings


def site(request):
    return {
        "ASPHUB_DEFAULT_COUNTRY": settings.ASPHUB_DEFAULT_COUNTRY,
        "MAP_TILE_URL": settings.ASPHUB_MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.ASPHUB_MAP_TILE_ATTRIBUTION,
    }
