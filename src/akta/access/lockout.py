"""The answer to a locked user name (django-axes' AXES_LOCKOUT_CALLABLE): Swedish, JSON on the API."""
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def lockout_message():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (f"För många misslyckade inloggningsförsök. Användarnamnet är spärrat i {minutes} minuter; "
            "försök igen senare eller kontakta systemförvaltaren.")


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)
