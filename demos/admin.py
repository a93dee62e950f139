from django.contrib import admin

from demos.models import DemoRun, WorkerHeartbeat


@admin.register(DemoRun)
class DemoRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "user", "queued_at", "finished_at", "device", "worker_hostname"]
    list_filter = ["kind", "status", "device"]
    search_fields = ["=id", "user__username", "params_hash", "worker_hostname"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    exclude = ["result"]  # can be megabytes (attention maps); the run's page shows it
    readonly_fields = ["id", "params_hash", "task_id", "queued_at", "started_at", "finished_at", "attempts"]
    date_hierarchy = "queued_at"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("result")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen", "device", "pid", "started_at"]
    readonly_fields = ["hostname", "last_seen", "device", "pid", "started_at"]
