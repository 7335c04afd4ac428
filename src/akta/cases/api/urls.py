from rest_framework.routers import SimpleRouter

from .views import CaseViewSet, PersonViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")
router.register("persons", PersonViewSet, basename="api-person")

urlpatterns = router.urls
