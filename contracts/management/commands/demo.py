"""Load (or refresh) the reference and demo data. `make run` and `make demo` call it.

It lives in the top app (contracts) because it seeds every app below it: an app may
import only from the apps below it (the import-linter layers), so the command moves
up whenever a new app is stacked on top. Django takes a command from the first app
in INSTALLED_APPS that has it, so no lower app may define another `demo`.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.seeding import seed_demo_users, seed_organisations
from catalogue.seeding import seed_reference_data
from contracts.seeding import seed_contracts
from procurement.seeding import seed_procurement
from vendors.seeding import seed_incubation, seed_vendors

# Chatty for a seed: WeasyPrint's layout steps and Celery's in-process task lines at
# INFO, kombu's notice that the in-memory broker has no hostname.
QUIET_LOGGERS = {
    "weasyprint": logging.WARNING,
    "weasyprint.progress": logging.WARNING,
    "celery.app.trace": logging.WARNING,
    "kombu.connection": logging.ERROR,
}


class Command(BaseCommand):
    help = (
        "Load the Wuhou organisation tree, rule parameters, calendar, catalogues, "
        "supplier register, demo accounts, the demo procurements and contracts "
        "(idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set every demo account's password back to the demo password.",
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        if options["verbosity"] < 2:
            for name, level in QUIET_LOGGERS.items():
                logging.getLogger(name).setLevel(level)
        orgs = seed_organisations()
        ref = seed_reference_data()
        ref["vendors"] = seed_vendors()
        ref["incubation_applications"] = seed_incubation()
        users = seed_demo_users(reset_passwords=options["reset_passwords"])
        # After the accounts: the procurements act through the demo officers,
        # experts and the vendor account.
        ref["procurement_projects"] = seed_procurement()
        # After procurement: the 2015 簇锦 contract comes from the re-tender's award.
        ref["contracts"] = seed_contracts()
        if options["quiet"]:
            return
        self.stdout.write(f"organisations created: {orgs}")
        for key, value in ref.items():
            self.stdout.write(f"{key}: {value}")

        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        for u in users:
            self.stdout.write(
                f"  {u['username']:<10} {u['role']:<10} {u['organisation']}"
            )
