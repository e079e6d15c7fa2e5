"""Services of procurement: every write, for the pages, the API, the tasks and the seed.

Each named transition locks the project row, asks the transition table under the
lock, changes what it changes and writes one audit event. Every number (thresholds,
periods, committee sizes, price weights, supplier minimums) is a rule parameter of
the buyer's district on the day; `procurement.methods` names which."""

from ._common import BID_FILE_TYPES, MAX_BID_FILE_BYTES
from .awards import (
    award_finalise,
    challenge_answer,
    challenge_file,
    final_awards_due,
    project_award,
)
from .bids import (
    bid_qualify,
    bid_submit,
    bid_withdraw,
    independence_conflicts,
    project_close_qualification,
    project_open,
)
from .committee import (
    committee_draw,
    committee_problems,
    expert_pool,
    member_conflicts,
    member_declare,
    member_replace,
)
from .evaluation import (
    SC11_CASES,
    abnormal_price_decide,
    evaluate,
    report_sign,
    scorable_bids,
    sheet_save,
    sheets_return,
)
from .invitations import invitation_refusal, project_invite, project_uninvite
from .project_input import clean_project, published_catalogue
from .projects import (
    project_announce,
    project_correct,
    project_create,
    project_data,
    project_publish_intention,
    project_restart,
    project_terminate,
    project_update,
    tender_document_generate,
)

__all__ = [
    "BID_FILE_TYPES",
    "MAX_BID_FILE_BYTES",
    "SC11_CASES",
    "abnormal_price_decide",
    "award_finalise",
    "bid_qualify",
    "bid_submit",
    "bid_withdraw",
    "challenge_answer",
    "challenge_file",
    "committee_draw",
    "committee_problems",
    "evaluate",
    "expert_pool",
    "final_awards_due",
    "independence_conflicts",
    "invitation_refusal",
    "member_conflicts",
    "member_declare",
    "member_replace",
    "clean_project",
    "project_announce",
    "project_award",
    "project_close_qualification",
    "project_correct",
    "project_create",
    "project_data",
    "project_invite",
    "project_open",
    "project_publish_intention",
    "project_restart",
    "project_terminate",
    "project_uninvite",
    "project_update",
    "published_catalogue",
    "report_sign",
    "scorable_bids",
    "sheet_save",
    "sheets_return",
    "tender_document_generate",
]
