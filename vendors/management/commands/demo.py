"""Load (or refresh) the reference and demo data. `make run` and `make demo` call it."""

from django.core.management.base import BaseCommand

from accounts.seeding import DEMO_USERS, seed_demo_users, seed_organisations
from catalogue.seeding import seed_reference_data
from vendors.seeding import seed_incubation, seed_vendors


class Command(BaseCommand):
    help = "Load the Wuhou organisation tree, rule parameters, calendar, catalogues, supplier register and demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set every demo account's password back to the demo password.",
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        orgs = seed_organisations()
        ref = seed_reference_data()
        ref["vendors"] = seed_vendors()
        ref["incubation_applications"] = seed_incubation()
        users = seed_demo_users(reset_passwords=options["reset_passwords"])
        if options["quiet"]:
            return
        self.stdout.write(f"organisations created: {orgs}")
        for key, value in ref.items():
            self.stdout.write(f"{key}: {value}")
        from django.conf import settings

        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        for u in users:
            self.stdout.write(
                f"  {u['username']:<10} {u['role']:<10} {u['organisation']}"
            )
        assert len(users) == len(DEMO_USERS)
