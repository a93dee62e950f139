from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Convert the demo models once (GGUF to safetensors under MODEL_CACHE_DIR) and check that each loads."

    def handle(self, *args, **options):
        from worker.modelhub import models_prepare

        for row in models_prepare():
            self.stdout.write(
                f"  {row['model']}: {row['action']} in {row['seconds']} s, loads in {row['load_seconds']} s ({row['path']})"
            )
