"""The sign-up form: Django's, with one answer for a username that is taken and one that is not allowed."""

from django.contrib.auth.forms import UserCreationForm

# One message for both: a different one for "taken" would tell anyone which accounts exist.
MESSAGE_USERNAME_REFUSED = (
    "This username cannot be used. Choose another: up to 150 letters, digits and @ . + - _ characters."
)


class SignupForm(UserCreationForm):
    def _post_clean(self):
        super()._post_clean()  # runs after the field checks and Django's uniqueness check, all under "username"
        if "username" in self.errors and self.data.get("username"):
            self.errors["username"] = self.error_class([MESSAGE_USERNAME_REFUSED])
