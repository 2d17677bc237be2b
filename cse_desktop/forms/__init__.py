"""The forms engine: load and check form definitions, check and tidy answers, score checklists.

Definitions are data (``forms/<form_id>.v<version>.json``); adding a field is a data change.
Everything other layers need is importable from here.
"""

from cse_desktop.forms.conditions import Condition, evaluate, parse_condition
from cse_desktop.forms.deadlines import (
    RHI_DEADLINE_HOURS,
    RhiTimeliness,
    rhi_deadline,
    rhi_timeliness,
    time_left,
)
from cse_desktop.forms.levels import RiskLevel
from cse_desktop.forms.library import FormLibrary, UnknownFormError, default_library
from cse_desktop.forms.loader import load_definition
from cse_desktop.forms.model import (
    Field,
    FormDefinition,
    FormDefinitionError,
    Option,
    Scoring,
    Section,
    Threshold,
)
from cse_desktop.forms.paths import FORMS_DIR
from cse_desktop.forms.scoring import Contribution, RiskResult, score_checklist
from cse_desktop.forms.validation import (
    FieldError,
    clean_answers,
    is_empty,
    is_required,
    is_visible,
    validate_answers,
    visible_fields,
    with_scored_level,
)
from cse_desktop.forms.values import parse_date, parse_datetime

__all__ = [
    "FORMS_DIR",
    "RHI_DEADLINE_HOURS",
    "Condition",
    "Contribution",
    "Field",
    "FieldError",
    "FormDefinition",
    "FormDefinitionError",
    "FormLibrary",
    "Option",
    "RhiTimeliness",
    "RiskLevel",
    "RiskResult",
    "Scoring",
    "Section",
    "Threshold",
    "UnknownFormError",
    "clean_answers",
    "default_library",
    "evaluate",
    "is_empty",
    "is_required",
    "is_visible",
    "load_definition",
    "parse_condition",
    "parse_date",
    "parse_datetime",
    "rhi_deadline",
    "rhi_timeliness",
    "score_checklist",
    "time_left",
    "validate_answers",
    "visible_fields",
    "with_scored_level",
]
