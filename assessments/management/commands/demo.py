"""Load (or refresh) the reference and demo data. `make run` and `make demo` call it.

It lives in the top app (assessments) because it seeds every app below it: an app
may import only from the apps below it (the import-linter layers), so the command
moves up whenever a new app is stacked on top. Django takes a command from the first
app in INSTALLED_APPS that has it, so no lower app may define another `demo`.

The order follows the story (seed 000): the 2014 assessment of 簇锦's organisation
and the 2014 admission list that eliminated it in March 2015 come before the
procurements, because the elimination drafts the re-tender that procurement's seed
completes; the 2015 contracts come from the re-tender's award and the other
organisations' 比选; then the 2015 assessments, the 2015 list and this year's round.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.seeding import seed_demo_users, seed_organisations
from assessments.seeding import (
    seed_admission_2014,
    seed_assessments,
    seed_assessments_2014,
)
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
        "supplier register, demo accounts, the demo procurements, contracts, "
        "assessments and admission lists (idempotent)."
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
        # After the accounts: 簇锦's 2014 assessment acts through its demo raters;
        # the 2014 list's elimination drafts the re-tender.
        ref["assessment_plans_2014"] = int(seed_assessments_2014() is not None)
        ref["admission_2014_steps"] = seed_admission_2014()
        # The procurements act through the demo officers, experts and the vendor
        # account; the re-tender completes the drafted project.
        ref["procurement_projects"] = seed_procurement()
        # After procurement: the 2015 簇锦 contract comes from the re-tender's award.
        ref["contracts"] = seed_contracts()
        # The 2015 contracts of the other organisations, their assessments, the 2015
        # list and this year's open round.
        ref.update(seed_assessments())
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
