from django.apps import AppConfig


class DemosConfig(AppConfig):
    name = "demos"
    verbose_name = "Live model demos"

    def ready(self):
        """Hand the demo settings to the model code, which reads no Django settings itself (torch-free import)."""
        from django.conf import settings

        from worker.config import configure

        configure(lm=settings.DEMO_LM, encoder=settings.DEMO_ENCODER, device=settings.DEMO_DEVICE,
                  model_cache_dir=settings.MODEL_CACHE_DIR, torch_threads=settings.DEMO_TORCH_THREADS,
                  cpu_prepack=settings.DEMO_CPU_PREPACK)  # fmt: skip
