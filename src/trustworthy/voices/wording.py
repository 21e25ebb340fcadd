"""What participants read: the questions and groups in their own words.

Kept short and plain (the tests check a reading age of about 9 to 11 with textstat). The
English here is the source; each is marked for the Welsh catalogue and translated where it is
shown (`gettext(...)` in forms.py and presenters.py), in the language of that page.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

QUESTIONS: dict[str, str] = {
    "good": _("What could be good about this idea?"),
    "worries": _("What worries you about it?"),
    "who_else": _("Who else should we ask?"),
    "understand": _("Do you understand why we might do this? Tell us what makes sense and what does not."),
    "anything_else": _("Is there anything else you want the people deciding to know?"),
}

# The framework's stakeholder groups, as a participant would say it.
GROUPS: dict[str, str] = {
    "young-people": _("I am a child or young person"),
    "parents-and-families": _("I am a parent or family member"),
    "carers": _("I am a carer, like a foster carer"),
    "practitioners": _("I work with children and families"),
    "partner-agencies": _("I work for another service, like a school or the NHS"),
    "community": _("I live in the area"),
}

ABOUT_ANSWERS = _(
    "Your answers help the people who decide. They will read every answer. "
    "We do not ask for your name. We do not keep anything about your phone or computer."
)

NO_NAMES = _(
    "Please do not write your name, or anyone else's name. "
    "Do not write addresses, phone numbers or dates of birth."
)

DEFAULT_SAFEGUARDING = _(
    "If you are worried about your safety, or someone else's, tell an adult you trust. "
    "You can call Childline for free on 0800 1111."
)
