from django.core.wsgi import get_wsgi_application

from quizsite.environment import environment_prepare

environment_prepare()
application = get_wsgi_application()
