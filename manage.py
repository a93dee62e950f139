#!/usr/bin/env python
import sys

if __name__ == "__main__":
    from quizsite.environment import environment_prepare

    environment_prepare()  # settings module, SECRET_KEY from var/secret_key when unset, folders under var/
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
