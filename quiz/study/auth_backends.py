"""The login backend: Django's ModelBackend, loading the user's study settings in the same query.

Every study request (next card, answer, undo, the study page) reads the settings first; joining them onto the
user that the auth middleware loads anyway saves one query per request on that path.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StudyUserBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("study_settings").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
