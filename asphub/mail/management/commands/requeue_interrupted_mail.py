from django.core.management.base import BaseCommand

from asphub.mail.tasks import interrupted_sends_requeue


class Command(BaseCommand):
    help = (
        "Queue again the e-mails a stopped worker left half sent (run before starting a "
        "worker; `make run` does)."
    )

    def handle(self, *args, **options):
        count = interrupted_sends_requeue()
        self.stdout.write(f"{count} interrupted e-mail(s) queued again.")
