from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("timeline.urls")),
]

# 400, 403 and 404 use Django's views with the site's templates (templates/4xx.html).
handler500 = "timeline.errors.server_error"
