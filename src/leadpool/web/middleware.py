"""Language by explicit choice only: Vietnamese unless the person switched to English."""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Unlike Django's LocaleMiddleware, ignore the browser's Accept-Language: staff phones are often set
    to English, yet the company works in Vietnamese. The menu's switch sets the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
