"""Every write of the contracts app. Pages, the API, tasks and the layer above
(assessments) call these and nothing else."""

from .acceptance import *  # noqa: F403
from .changes import *  # noqa: F403
from .contracts import *  # noqa: F403
from .deadlines import *  # noqa: F403
from .delivery import *  # noqa: F403
from .extensions import *  # noqa: F403
from .payments import *  # noqa: F403
