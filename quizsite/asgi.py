from django.core.asgi import get_asgi_application

from quizsite.environment import environment_prepare

environment_prepare()
application = get_asgi_application()
