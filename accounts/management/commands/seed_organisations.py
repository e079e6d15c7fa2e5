from django.core.management.base import BaseCommand

from accounts.seeding import seed_organisations


class Command(BaseCommand):
    help = "Load the Wuhou organisation tree (idempotent)."

    def handle(self, *args, **options):
        created = seed_organisations()
        self.stdout.write(f"organisations created: {created}")
