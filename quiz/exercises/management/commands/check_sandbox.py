from django.core.management.base import BaseCommand

from worker.sandbox import sandbox_self_check, seccomp_program


class Command(BaseCommand):
    help = "Check that the exercise sandbox (bubblewrap) can run code here; says why not when it cannot."

    def handle(self, *args, **options):
        reason = sandbox_self_check()
        if reason:
            self.stdout.write(self.style.WARNING(f"exercise sandbox unavailable: {reason}"))
            self.stdout.write("  Exercises are shown but cannot be run. On Debian: apt-get install -y bubblewrap")
        else:
            seccomp = "seccomp filter on" if seccomp_program() else "no seccomp filter: libseccomp2 is missing"
            self.stdout.write(f"exercise sandbox: ok (bubblewrap, {seccomp})")
