# The Celery app lives in quizsite/celery.py and is imported by what uses it (the worker: `celery -A quizsite`;
# quizsite/queueing.py), not here: importing this package, or its settings, prepares nothing.
