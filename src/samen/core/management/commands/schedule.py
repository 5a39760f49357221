import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks import TaskResult, TaskResultStatus

from samen.core import capabilities


def _line(path: str, result: TaskResult) -> str:
    """`path: STATUS`, and the count the task returned (rows removed, mails sent, ...) when it
    ran at once (the immediate backend); a queued task reports in the worker's log."""
    if result.status == TaskResultStatus.SUCCESSFUL and isinstance(result.return_value, int):
        return f"{path}: {result.status}, {result.return_value}"
    return f"{path}: {result.status}"


class Command(BaseCommand):
    help = (
        "Enqueue the daily tasks every capability registered (reminders, retention). Run it from cron once a day, "
        "or with --loop as a long-running process beside the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running; enqueue once every --every seconds."
        )
        parser.add_argument("--every", type=int, default=24 * 3600)

    def handle(self, loop, every, **options):
        while True:
            for path in capabilities.daily_tasks():
                result = import_string(path).enqueue()
                self.stdout.write(_line(path, result))
            if not loop:
                return
            time.sleep(every)
            # A long-lived process: drop a connection the database closed while we slept
            # (a restart, an idle timeout), as Django does at the start of every request.
            # Not before the first round: inside a transaction (a test) it would close it.
            close_old_connections()
